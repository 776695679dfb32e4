// SPDX-License-Identifier: GPL-2.0
/*
 * kvmi-report RUN_DIR: results/<run>/report.html, one self-contained page
 * for people: the environment (kernel, L1's QEMU, vCPUs), every test's
 * verdict with links to its consoles, and an SVG plot of every latency
 * histogram the tracers wrote (kvmi-trace -o <test>/NAME.trace.json; the
 * last document of each file is the final report). Plots come from
 * gnuplot (plots/ keeps its scripts and data); the page is written with
 * libxml2. A table gives every kvmi-stress run's throughput, oracles and
 * replay command. kvmi-run runs it at the end of every run.
 */
#define _GNU_SOURCE
#include "cli.h"
#include "proc.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define GNUPLOT_MS 60000

struct report {
	const char *run_dir;
	char *plot_dir;
	xmlTextWriterPtr w;
	int nplots;
	int nfailed;		/* plots gnuplot could not draw */
	int nfigures;		/* benchmark files shown */
	int nstress;		/* kvmi-stress runs shown */
};

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : "";
}

static void elem(xmlTextWriterPtr w, const char *name, const char *text)
{
	xmlTextWriterWriteElement(w, BAD_CAST name, BAD_CAST text);
}

static void start(xmlTextWriterPtr w, const char *name, const char *cls)
{
	xmlTextWriterStartElement(w, BAD_CAST name);
	if (cls)
		xmlTextWriterWriteAttribute(w, BAD_CAST "class", BAD_CAST cls);
}

/* Always <x></x>: HTML reads <td/> as an unclosed <td>. */
static void end(xmlTextWriterPtr w)
{
	xmlTextWriterFullEndElement(w);
}

/* A number in a table cell. */
static void cell_num(struct report *r, const char *fmt, double v)
{
	xmlTextWriterStartElement(r->w, BAD_CAST "td");
	xmlTextWriterWriteFormatString(r->w, fmt, v);
	end(r->w);
}

static void row(xmlTextWriterPtr w, const char *key, const char *value)
{
	start(w, "tr", NULL);
	elem(w, "th", key);
	elem(w, "td", value);
	end(w);
}

/* ---- plots --------------------------------------------------------------- */

/* gnuplot's SVG, parsed and written again without its prolog, for inlining. */
static char *svg_inline(const char *path)
{
	xmlDocPtr doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
				    XML_PARSE_NOWARNING);
	xmlBufferPtr buf;
	char *s = NULL;

	if (!doc)
		return NULL;
	buf = xmlBufferCreate();
	if (xmlDocGetRootElement(doc) &&
	    xmlNodeDump(buf, doc, xmlDocGetRootElement(doc), 0, 0) > 0)
		s = xstrdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return s;
}

/*
 * gnuplot draws the next plot (plots/plot-N.*) from body (everything after
 * the terminal and output lines); its SVG, for inlining, or NULL.
 */
static char *draw(struct report *r, const char *body)
{
	int n = r->nplots++;
	char *gp = xasprintf("%s/plot-%d.gp", r->plot_dir, n);
	char *svg = xasprintf("%s/plot-%d.svg", r->plot_dir, n);
	char *err = xasprintf("%s/plot-%d.err", r->plot_dir, n);
	struct proc_opts po = { .out_path = err, .truncate = true };
	char *script, *out = NULL;
	struct proc p;
	int status;

	script = xasprintf("set terminal svg size 720,360 font 'sans,11' background '#ffffff'\n"
			   "set output '%s'\n%s", svg, body);
	if (!write_file(gp, script, strlen(script)) &&
	    !proc_start(&p, (char *[]){ "gnuplot", gp, NULL }, &po)) {
		if (proc_wait_until(&p, now_ms() + GNUPLOT_MS, &status))
			proc_kill(&p, 0, &status);
		else if (WIFEXITED(status) && !WEXITSTATUS(status))
			out = svg_inline(svg);
	}
	if (!out)
		r->nfailed++;
	free(script);
	free(gp);
	free(svg);
	free(err);
	return out;
}

/* The data file of the next plot (plots/plot-N.dat), open for writing. */
static FILE *plot_data(struct report *r, char **path)
{
	*path = xasprintf("%s/plot-%d.dat", r->plot_dir, r->nplots);
	return fopen(*path, "w");
}

/*
 * A bcc-style log2 histogram as bars: one per bucket from the lowest to the
 * highest non-empty one, labelled "low-high", counts on the y axis.
 */
static char *plot_hist(struct report *r, const char *title, const char *unit,
		       struct json_object *h)
{
	struct json_object *buckets = json_object_object_get(h, "buckets");
	char *dat, *body, *out;
	FILE *f = plot_data(r, &dat);
	uint64_t next_low = 0;

	if (!f) {
		free(dat);
		r->nplots++;
		r->nfailed++;
		return NULL;
	}
	for (size_t i = 0; i < json_object_array_length(buckets); i++) {
		struct json_object *b = json_object_array_get_idx(buckets, i);
		uint64_t low = json_object_get_uint64(json_object_object_get(b, "low"));

		/* The JSON has non-empty buckets only; bcc shows the empty ones. */
		for (; i && next_low && next_low < low; next_low = 2 * next_low)
			fprintf(f, "\"%" PRIu64 "-%" PRIu64 "\" 0\n", next_low, 2 * next_low - 1);
		fprintf(f, "\"%s-%s\" %s\n", str(b, "low"), str(b, "high"), str(b, "count"));
		next_low = json_object_get_uint64(json_object_object_get(b, "high")) + 1;
	}
	fclose(f);
	body = xasprintf(
		"set title \"%s\" noenhanced\n"
		"set style data histograms\n"
		"set style fill solid 0.8 border -1\n"
		"set boxwidth 0.8\n"
		"set xtics rotate by -35 scale 0\n"
		"set xlabel '%s (log2 buckets)'\n"
		"set ylabel 'count'\n"
		"set yrange [0:*]\n"
		"set grid ytics\n"
		"set key off\n"
		"plot '%s' using 2:xtic(1) linecolor rgb '#3465a4'\n",
		title, unit, dat);
	out = draw(r, body);
	free(body);
	free(dat);
	return out;
}

/* A plot and its caption: a <figure class="plot">. */
static void figure_svg(struct report *r, char *svg, const char *title, const char *caption)
{
	start(r->w, "figure", "plot");
	if (svg)
		xmlTextWriterWriteRaw(r->w, BAD_CAST svg);
	else
		elem(r->w, "p", "gnuplot could not draw this plot (see plots/)");
	start(r->w, "figcaption", NULL);
	elem(r->w, "strong", title);
	xmlTextWriterWriteString(r->w, BAD_CAST " ");
	xmlTextWriterWriteString(r->w, BAD_CAST caption);
	end(r->w);
	end(r->w);
	free(svg);
}

static void figure(struct report *r, const char *title, const char *unit,
		   struct json_object *h)
{
	char *stats = xasprintf("count %s, avg %s, p50 %s, p99 %s, min %s, max %s (%s)",
				str(h, "count"), str(h, "avg"), str(h, "p50"),
				str(h, "p99"), str(h, "min"), str(h, "max"), unit);

	figure_svg(r, plot_hist(r, title, unit, h), title, stats);
	free(stats);
}

/* What names an array element: the hypercall nr, the phase, the function. */
static char *element_name(struct json_object *e, size_t i)
{
	static const char *const keys[] = { "nr", "phase", "fn", "name", "mode" };

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (json_object_object_get(e, keys[k]))
			return xasprintf("%s %s", keys[k], str(e, keys[k]));
	return xasprintf("#%zu", i);
}

/* Every object holding "buckets" below o is a histogram; ctx names it. */
static void find_hists(struct report *r, struct json_object *o, const char *ctx,
		       const char *unit)
{
	if (json_object_is_type(o, json_type_object)) {
		struct json_object_iter it;

		if (json_object_is_type(json_object_object_get(o, "buckets"),
					json_type_array)) {
			if (json_object_array_length(json_object_object_get(o, "buckets")))
				figure(r, ctx, unit, o);
			return;
		}
		json_object_object_foreachC(o, it) {
			char *sub = xasprintf("%s / %s", ctx, it.key);

			find_hists(r, it.val, sub, unit);
			free(sub);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			struct json_object *e = json_object_array_get_idx(o, i);
			char *name = element_name(e, i);
			char *sub = xasprintf("%s, %s", ctx, name);

			find_hists(r, e, sub, unit);
			free(sub);
			free(name);
		}
	}
}

/*
 * A file of JSON lines (kvmi-trace -o, kvmi-ctl watch) as an array of its
 * documents, a line that does not parse as a null; NULL if it cannot be read.
 */
static struct json_object *json_lines(const char *path)
{
	char *text = read_file(path, NULL), *line, *save;
	struct json_object *a, *o;

	if (!text)
		return NULL;
	a = json_object_new_array();
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		o = json_tokener_parse(line);
		json_object_array_add(a, o);
	}
	free(text);
	return a;
}

/* The last JSON document (line) of a kvmi-trace -o file: its final report. */
static struct json_object *last_document(const char *path)
{
	struct json_object *a = json_lines(path), *o = NULL;
	size_t n = a ? json_object_array_length(a) : 0;

	if (n)
		o = json_object_get(json_object_array_get_idx(a, n - 1));
	json_object_put(a);
	return o;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

/* fn(r, test, name) for each file of a test's directory, by name. */
static void each_file(struct report *r, const char *test,
		      void (*fn)(struct report *r, const char *test, const char *name))
{
	char *dir = xasprintf("%s/%s", r->run_dir, test);
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, by_name);

	for (int i = 0; i < n; i++) {
		fn(r, test, ents[i]->d_name);
		free(ents[i]);
	}
	if (n > 0)
		free(ents);
	free(dir);
}

/* fn(r, test, name) for each file of every test's directory, in suite order. */
static void each_test_file(struct report *r, struct json_object *tests,
			   void (*fn)(struct report *r, const char *test, const char *name))
{
	for (size_t i = 0; i < json_object_array_length(tests); i++)
		each_file(r, str(json_object_array_get_idx(tests, i), "name"), fn);
}

/* A tracer's JSON (kvmi-trace -o NAME.trace.json): its histograms. */
static void trace_plots(struct report *r, const char *test, const char *name)
{
	struct json_object *doc;
	char *path, *ctx;

	if (!ends_with(name, ".trace.json"))
		return;
	path = xasprintf("%s/%s/%s", r->run_dir, test, name);
	doc = last_document(path);
	/* "tool": a peer's histogram in the same layout (make bench's bpftrace) */
	ctx = xasprintf("%s: %s %s", test, doc && *str(doc, "tool") ? str(doc, "tool") : "kvmi-trace",
			doc ? str(doc, "mode") : name);
	if (doc)	/* kvmi-trace -u/-m name the unit; nsecs before them */
		find_hists(r, doc, ctx, *str(doc, "unit") ? str(doc, "unit") : "nsecs");
	json_object_put(doc);
	free(ctx);
	free(path);
}

/*
 * A timeline (kvmi-ctl watch > <test>/NAME.timeline.json: one line of the
 * host handler's counters per sample, t_ms since its start): maps alive,
 * and map + unmap operations per second between samples.
 */
static void timeline_plots(struct report *r, const char *test, const char *name)
{
	char *path, *dat, *body, *title, *caption;
	int64_t t0 = 0, pt = 0, pops = 0, peak = 0;
	double peak_rate = 0;
	struct json_object *a;
	size_t n;
	FILE *f;

	if (!ends_with(name, ".timeline.json"))
		return;
	path = xasprintf("%s/%s/%s", r->run_dir, test, name);
	a = json_lines(path);
	free(path);
	for (size_t i = a ? json_object_array_length(a) : 0; i-- > 0;)
		if (!json_object_array_get_idx(a, i))	/* drop the lines that did not parse */
			json_object_array_del_idx(a, i, 1);
	n = a ? json_object_array_length(a) : 0;
	if (n < 2) {
		json_object_put(a);
		return;		/* nothing to draw a line through */
	}
	f = plot_data(r, &dat);
	if (!f) {
		r->nplots++;
		r->nfailed++;
		elem(r->w, "p", "kvmi-report could not write a timeline's data (plots/)");
		json_object_put(a);
		free(dat);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(a, i);
		int64_t t = json_object_get_int64(json_object_object_get(o, "t_ms"));
		int64_t live = json_object_get_int64(json_object_object_get(o, "live_maps"));
		int64_t ops = json_object_get_int64(json_object_object_get(o, "total_maps")) +
			      json_object_get_int64(json_object_object_get(o, "total_unmaps"));
		double rate;

		if (!i) {
			t0 = t;
			pt = t;
			pops = ops;
		}
		rate = t > pt ? (ops - pops) * 1000.0 / (t - pt) : 0.0;
		fprintf(f, "%.3f %" PRId64 " %.1f\n", (t - t0) / 1000.0, live, rate);
		peak = live > peak ? live : peak;
		peak_rate = rate > peak_rate ? rate : peak_rate;
		pt = t;
		pops = ops;
	}
	fclose(f);
	json_object_put(a);
	title = xasprintf("%s: maps alive and map/unmap operations per second (%s)", test, name);
	body = xasprintf(
		"set title \"%s\" noenhanced\n"
		"set xlabel 'seconds'\n"
		"set ylabel 'maps alive'\n"
		"set y2label 'operations per second'\n"
		"set yrange [0:%" PRId64 "]\n"
		"set y2range [0:%.0f]\n"
		"set ytics nomirror\n"
		"set y2tics\n"
		"set grid ytics\n"
		"set key top left\n"
		"plot '%s' using 1:2 with steps linewidth 2 linecolor rgb '#3465a4' title 'maps alive', "
		"'' using 1:3 axes x1y2 with fsteps linecolor rgb '#cc0000' title 'ops/s'\n",
		title, peak + 1 + peak / 4, peak_rate * 1.2 + 1, dat);
	caption = xasprintf("%zu samples over %.1f s, at most %" PRId64 " maps alive",
			    n, (pt - t0) / 1000.0, peak);
	figure_svg(r, draw(r, body), title, caption);
	free(caption);
	free(body);
	free(title);
	free(dat);
}

/* ---- figures -------------------------------------------------------------- */

/* A figure as text: numbers to 6 significant digits, the rest as JSON has it. */
static char *figure_text(struct json_object *o)
{
	if (!o)
		return xstrdup("null");
	if (json_object_is_type(o, json_type_double))
		return xasprintf("%.6g", json_object_get_double(o));
	return xstrdup(json_object_get_string(o));
}

static bool is_table(struct json_object *o)
{
	return json_object_is_type(o, json_type_array) && json_object_array_length(o) &&
	       json_object_is_type(json_object_array_get_idx(o, 0), json_type_object);
}

/* Every scalar below o as one row "path: value"; arrays name their elements. */
static void figure_rows(struct report *r, struct json_object *o, const char *path)
{
	if (json_object_is_type(o, json_type_object)) {
		struct json_object_iter it;

		json_object_object_foreachC(o, it) {
			char *sub;

			if (!*path && is_table(it.val))
				continue;	/* a table of its own */
			sub = *path ? xasprintf("%s / %s", path, it.key) : xstrdup(it.key);
			figure_rows(r, it.val, sub);
			free(sub);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			struct json_object *e = json_object_array_get_idx(o, i);
			char *name = element_name(e, i), *sub = xasprintf("%s, %s", path, name);

			figure_rows(r, e, sub);
			free(sub);
			free(name);
		}
	} else {
		char *v = figure_text(o);

		row(r->w, path, v);
		free(v);
	}
}

/* An array of objects as a table: the first object's keys are the columns. */
static void figure_table(struct report *r, const char *key, struct json_object *a)
{
	struct json_object_iter it;

	elem(r->w, "h4", key);
	start(r->w, "table", NULL);
	start(r->w, "tr", NULL);
	json_object_object_foreachC(json_object_array_get_idx(a, 0), it)
		elem(r->w, "th", it.key);
	end(r->w);
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		start(r->w, "tr", NULL);
		json_object_object_foreachC(json_object_array_get_idx(a, 0), it) {
			struct json_object *v = NULL;
			char *t;

			json_object_object_get_ex(json_object_array_get_idx(a, i), it.key, &v);
			t = v ? figure_text(v) : xstrdup("");
			elem(r->w, "td", t);
			free(t);
		}
		end(r->w);
	}
	end(r->w);
}

/* A benchmark's figures (make bench: <test>/bench_*.json) as tables. */
static void bench_figures(struct report *r, const char *test, const char *name)
{
	struct json_object_iter it;
	struct json_object *doc;
	char *path, *title;

	if (strncmp(name, "bench_", 6) || !ends_with(name, ".json"))
		return;
	path = xasprintf("%s/%s/%s", r->run_dir, test, name);
	doc = json_object_from_file(path);
	if (json_object_is_type(doc, json_type_object)) {
		if (!r->nfigures++)
			elem(r->w, "h2", "Benchmark figures");
		title = xasprintf("%s: %s", test, name);
		elem(r->w, "h3", title);
		start(r->w, "table", NULL);
		figure_rows(r, doc, "");
		end(r->w);
		json_object_object_foreachC(doc, it)
			if (is_table(it.val))
				figure_table(r, it.key, it.val);
		free(title);
	}
	json_object_put(doc);
	free(path);
}

/* ---- stress runs ---------------------------------------------------------- */

/*
 * A kvmi-stress run's JSON (stress_lib.sh keeps it as <test>/kvmi-stress*.json):
 * one row of the stress table, with its throughput, what its oracles saw
 * and the command that replays it.
 */
static void stress_row(struct report *r, const char *test, const char *name)
{
	struct json_object *doc, *totals, *ops, *failure;
	struct json_object_iter it;
	double secs, maps, nops = 0;
	char *path, *run;

	if (strncmp(name, "kvmi-stress", 11) || !ends_with(name, ".json"))
		return;
	path = xasprintf("%s/%s/%s", r->run_dir, test, name);
	doc = json_object_from_file(path);
	free(path);
	if (!json_object_object_get_ex(doc, "totals", &totals) ||
	    !json_object_object_get_ex(totals, "ops", &ops)) {
		json_object_put(doc);
		return;
	}
	json_object_object_foreachC(ops, it)
		nops += json_object_get_double(it.val);
	secs = json_object_get_double(json_object_object_get(doc, "seconds"));
	maps = json_object_get_double(json_object_object_get(totals, "maps_made"));
	if (!r->nstress++) {
		elem(r->w, "h2", "Stress runs");
		start(r->w, "table", "stress");
		start(r->w, "tr", NULL);
		for (const char *h = "test\0run\0scenario\0seed\0seconds\0ops\0ops/s\0maps\0"
				     "maps/s\0words verified\0oracle checks\0oracles\0replay\0";
		     *h; h += strlen(h) + 1)
			elem(r->w, "th", h);
		end(r->w);
	}
	run = xstrdup(name);
	run[strlen(run) - 5] = 0;	/* without .json */
	start(r->w, "tr", NULL);
	elem(r->w, "td", test);
	elem(r->w, "td", run);
	elem(r->w, "td", str(doc, "scenario"));
	elem(r->w, "td", str(doc, "seed"));
	cell_num(r, "%.1f", secs);
	cell_num(r, "%.0f", nops);
	cell_num(r, "%.0f", secs > 0 ? nops / secs : 0);
	cell_num(r, "%.0f", maps);
	cell_num(r, "%.0f", secs > 0 ? maps / secs : 0);
	elem(r->w, "td", str(totals, "words_verified"));
	elem(r->w, "td", str(totals, "oracle_checks"));
	failure = json_object_object_get(doc, "failure");
	start(r->w, "td", failure ? "fail" : "pass");
	xmlTextWriterWriteString(r->w, BAD_CAST(failure ? json_object_to_json_string(failure) :
					       "held"));
	end(r->w);
	start(r->w, "td", NULL);
	elem(r->w, "code", str(doc, "replay"));
	end(r->w);
	end(r->w);
	free(run);
	json_object_put(doc);
}

/* ---- the page -------------------------------------------------------------- */

static const char style[] =
	"body{font-family:sans-serif;margin:2em;max-width:80em;color:#222}"
	"table{border-collapse:collapse;margin-bottom:1.5em}"
	"th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}"
	"td.pass{background:#dff0d8}td.fail{background:#f2dede}"
	"figure.plot{display:inline-block;margin:0 1em 1em 0}"
	"figure.plot svg{width:720px;height:360px}"
	"figcaption{font-size:.9em;max-width:720px}";

/*
 * In a browser, the page checks its own plots: each inline SVG must lay out
 * with a non-empty box. <body data-plots> gets the number of plots and
 * data-plots-rendered the number drawn.
 */
static const char check_script[] =
	"window.addEventListener('load',function(){"
	"var s=document.querySelectorAll('figure.plot svg'),n=0;"
	"s.forEach(function(e){var b=e.getBBox();if(b.width>0&&b.height>0)n++;});"
	"document.body.setAttribute('data-plots',String(s.length));"
	"document.body.setAttribute('data-plots-rendered',String(n));});";

static void environment(struct report *r, struct json_object *sum)
{
	struct json_object *st = json_object_object_get(sum, "stack"), *v = NULL;
	char *s, *un;

	elem(r->w, "h2", "Environment");
	start(r->w, "table", NULL);
	row(r->w, "L1 kernel (and L2's)", str(sum, "abi"));
	if (st) {
		s = xasprintf("%s (%s)", str(st, "l1_qemu_version"), str(st, "l1_qemu"));
		row(r->w, "L1 QEMU (TCG)", s);
		free(s);
		row(r->w, "L1 vCPUs", str(st, "l1_smp"));
		row(r->w, "L1 tick", str(st, "l1_tick"));
		row(r->w, "L1 VMs at once", str(st, "jobs"));
	}
	json_object_object_get_ex(sum, "seconds", &v);
	/* unexpected_retries: since 2026-12-05; a run before has none */
	un = *str(sum, "unexpected_retries") ?
		xasprintf(" (%s not a meta-test's own)", str(sum, "unexpected_retries")) :
		xstrdup("");
	s = xasprintf("%s passed, %s failed, %s retried%s, %.1fs", str(sum, "passed"),
		      str(sum, "failed"), str(sum, "retries"), un, json_object_get_double(v));
	free(un);
	row(r->w, "Result", s);
	free(s);
	row(r->w, "Results directory", r->run_dir);
	end(r->w);
}

/* A link to a test's log (consoles, KTAP, job log), relative to the page. */
static void log_link(struct report *r, const char *test, const char *name)
{
	char *href;

	if (!ends_with(name, ".log") && strcmp(name, "ktap"))
		return;
	href = xasprintf("%s/%s", test, name);
	xmlTextWriterStartElement(r->w, BAD_CAST "a");
	xmlTextWriterWriteAttribute(r->w, BAD_CAST "href", BAD_CAST href);
	xmlTextWriterWriteString(r->w, BAD_CAST name);
	end(r->w);
	xmlTextWriterWriteString(r->w, BAD_CAST " ");
	free(href);
}

static void verdicts(struct report *r, struct json_object *tests)
{
	elem(r->w, "h2", "Tests");
	start(r->w, "table", NULL);
	start(r->w, "tr", NULL);
	for (const char *h = "test\0level\0result\0verdict\0seconds\0reason\0logs\0"; *h;
	     h += strlen(h) + 1)
		elem(r->w, "th", h);
	end(r->w);
	for (size_t i = 0; i < json_object_array_length(tests); i++) {
		struct json_object *t = json_object_array_get_idx(tests, i);
		const char *result = str(t, "result");
		const char *first = str(t, "first_attempt");	/* retried: why the first ended */

		start(r->w, "tr", NULL);
		elem(r->w, "td", str(t, "name"));
		elem(r->w, "td", str(t, "level"));
		start(r->w, "td", !strcmp(result, "pass") ? "pass" : "fail");
		xmlTextWriterWriteString(r->w, BAD_CAST result);
		end(r->w);
		elem(r->w, "td", str(t, "verdict"));
		cell_num(r, "%.1f", json_object_get_double(json_object_object_get(t, "seconds")));
		start(r->w, "td", NULL);
		xmlTextWriterWriteString(r->w, BAD_CAST str(t, "reason"));
		if (*first) {
			char *p = xasprintf("first attempt: %s", first);

			elem(r->w, "p", p);
			free(p);
		}
		end(r->w);
		start(r->w, "td", NULL);
		each_file(r, str(t, "name"), log_link);
		if (*first) {
			char *dir = xasprintf("%s.attempt1", str(t, "name"));

			xmlTextWriterWriteString(r->w, BAD_CAST "first attempt: ");
			each_file(r, dir, log_link);
			free(dir);
		}
		end(r->w);
		end(r->w);
	}
	end(r->w);
}

static int write_report(struct report *r)
{
	char *sp = xasprintf("%s/summary.json", r->run_dir);
	char *out = xasprintf("%s/report.html", r->run_dir);
	char *tmp = xasprintf("%s.tmp", out);
	struct json_object *sum = json_object_from_file(sp), *tests;
	const char *id = strrchr(r->run_dir, '/') ? strrchr(r->run_dir, '/') + 1 : r->run_dir;
	char *title = xasprintf("kvmi-harness run %s", id);
	int ret = -1, hists;

	if (!sum || !json_object_object_get_ex(sum, "tests", &tests)) {
		fprintf(stderr, "kvmi-report: %s: %s\n", sp, json_util_get_last_err());
		goto out;
	}
	r->w = xmlNewTextWriterFilename(tmp, 0);
	if (!r->w)
		goto out;
	xmlTextWriterWriteDTD(r->w, BAD_CAST "html", NULL, NULL, NULL);
	xmlTextWriterStartElement(r->w, BAD_CAST "html");
	xmlTextWriterWriteAttribute(r->w, BAD_CAST "xmlns", BAD_CAST "http://www.w3.org/1999/xhtml");
	xmlTextWriterWriteAttribute(r->w, BAD_CAST "lang", BAD_CAST "en");
	start(r->w, "head", NULL);
	xmlTextWriterStartElement(r->w, BAD_CAST "meta");
	xmlTextWriterWriteAttribute(r->w, BAD_CAST "charset", BAD_CAST "utf-8");
	xmlTextWriterEndElement(r->w);	/* a void element: <meta/> */
	elem(r->w, "title", title);
	elem(r->w, "style", style);
	start(r->w, "script", NULL);
	xmlTextWriterWriteRaw(r->w, BAD_CAST check_script);
	end(r->w);
	end(r->w);
	start(r->w, "body", NULL);
	elem(r->w, "h1", title);
	environment(r, sum);
	verdicts(r, tests);
	elem(r->w, "h2", "Latency histograms");
	each_test_file(r, tests, trace_plots);
	if (!r->nplots)
		elem(r->w, "p", "No tracer wrote a histogram in this run.");
	elem(r->w, "h2", "Timelines");
	hists = r->nplots;
	each_test_file(r, tests, timeline_plots);
	if (r->nplots == hists)
		elem(r->w, "p", "No timeline was recorded in this run.");
	each_test_file(r, tests, stress_row);
	if (r->nstress)
		end(r->w);	/* the stress table */
	each_test_file(r, tests, bench_figures);
	xmlTextWriterEndDocument(r->w);
	xmlFreeTextWriter(r->w);
	ret = rename(tmp, out) ? -errno : 0;
	if (!ret)
		printf("%s: %d plot(s), %d stress run(s)%s\n", out, r->nplots, r->nstress,
		       r->nfailed ? ", some not drawn (plots/)" : "");
out:
	json_object_put(sum);
	free(title);
	free(sp);
	free(out);
	free(tmp);
	return ret || r->nfailed ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct report r = { 0 };

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("usage: kvmi-report RUN_DIR   write RUN_DIR/report.html");
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--version"))
		return cli_version("kvmi-report");
	if (argc != 2) {
		fputs("usage: kvmi-report RUN_DIR\n", stderr);
		return 2;
	}
	r.run_dir = argv[1];
	r.plot_dir = xasprintf("%s/plots", r.run_dir);
	if (mkdir_p(r.plot_dir)) {
		fprintf(stderr, "kvmi-report: cannot create %s\n", r.plot_dir);
		return 1;
	}
	return write_report(&r);
}
