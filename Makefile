# kvmi-harness. `make test` and `make run` install missing Debian packages
# first (make deps), build everything, then boot the stack.

DEB_PACKAGES := qemu-system-x86 linux-image-amd64 linux-headers-amd64 \
	linux-source-6.1 busybox-static clang llvm libbpf-dev bpftool dwarves \
	cpio gcc make libc6-dev libjson-c-dev libkmod-dev libelf-dev zlib1g-dev \
	pkg-config bc flex bison xz-utils kmod patch perl jq

B        := build
CC       ?= gcc
CFLAGS   := -std=c11 -Wall -Wextra -Werror -O2 -g -Iinclude
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
KSRC_TAR := /usr/src/linux-source-6.1.tar.xz

HOST_OBJS   := util console ktap vmconfig proc initramfs
RUN_OBJS    := runner $(HOST_OBJS)
VM_OBJS     := vmctl util fdio vmconfig
AGENT_OBJS  := agent util fdio
PAT_OBJS    := pattern_tool util
HC_OBJS     := hc_tool util
CTL_OBJS    := ctl_tool util
KVMMEM_OBJS := kvmmem_tool util
UNIT_TESTS  := $(patsubst tests/unit/%.c,$(B)/tests/unit_%,$(wildcard tests/unit/*.c))
UNIT_LIB    := util console ktap vmconfig proc hist

BINS := $(B)/bin/kvmi-run $(B)/bin/kvmi-vm $(B)/bin/kvmi-agent \
	$(B)/bin/kvmi-pattern $(B)/bin/kvmi-hc $(B)/bin/kvmi-ctl \
	$(B)/bin/kvmmem $(B)/bin/kvmmem_test $(B)/bin/kvmmem_bench

.PHONY: all deps test run unit check host guest bpf bench clean
all: host guest $(BINS) $(UNIT_TESTS) bpf

deps:
	@harness/deps.sh $(DEB_PACKAGES)

host:
	$(MAKE) -C kmod/host
guest: host
	$(MAKE) -C kmod/guest
bpf: host
	$(MAKE) -C bpf

$(B)/obj/%.o: harness/%.c $(wildcard harness/*.h include/uapi/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@
$(B)/asan/%.o: harness/%.c $(wildcard harness/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) -c $< -o $@
$(B)/asan/%.o: bpf/%.c $(wildcard bpf/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) -c $< -o $@

$(B)/bin/kvmi-run: $(RUN_OBJS:%=$(B)/obj/%.o)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ -ljson-c -lkmod
$(B)/bin/kvmi-vm: $(VM_OBJS:%=$(B)/obj/%.o)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ -ljson-c
$(B)/bin/kvmi-ctl: $(CTL_OBJS:%=$(B)/obj/%.o)
	@mkdir -p $(@D)
	$(CC) $^ -o $@ -ljson-c
# These run in the L2 initramfs, which has no libc: static.
$(B)/bin/kvmi-agent: $(AGENT_OBJS:%=$(B)/obj/%.o)
	@mkdir -p $(@D)
	$(CC) -static $^ -o $@
$(B)/bin/kvmi-pattern: $(PAT_OBJS:%=$(B)/obj/%.o)
	@mkdir -p $(@D)
	$(CC) -static $^ -o $@
$(B)/bin/kvmi-hc: $(HC_OBJS:%=$(B)/obj/%.o)
	@mkdir -p $(@D)
	$(CC) -static $^ -o $@
$(B)/bin/kvmmem: $(KVMMEM_OBJS:%=$(B)/obj/%.o)
	@mkdir -p $(@D)
	$(CC) -static $^ -o $@
# Guest tests: kselftest_harness.h, static, run inside the introspector.
$(B)/bin/kvmmem_bench: tests/guest/kvmmem_bench.c include/uapi/kvmi.h include/uapi/kvmi_hctest.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static $< -o $@
$(B)/bin/kvmmem_test: tests/guest/kvmmem_test.c $(B)/kselftest/kselftest_harness.h include/uapi/kvmi.h harness/pattern.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -isystem $(B)/kselftest -static -pthread $< -o $@

# kselftest_harness.h comes from the kernel source tarball.
$(B)/kselftest/kselftest_harness.h: $(KSRC_TAR)
	@mkdir -p $(@D)
	tar -xf $< -C $(@D) --strip-components=4 \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h
	touch $@

# Unit tests: no VMs, ASan + UBSan, kselftest_harness.h.
$(B)/tests/unit_%: tests/unit/%.c $(UNIT_LIB:%=$(B)/asan/%.o) $(B)/kselftest/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) -isystem $(B)/kselftest -Iharness \
		$< $(UNIT_LIB:%=$(B)/asan/%.o) -o $@ -ljson-c

unit: $(UNIT_TESTS)
	@for t in $(UNIT_TESTS); do $$t || exit 1; done

test: deps
	@$(MAKE) --no-print-directory all
	$(B)/bin/kvmi-run $(TESTS)

# Tracer overhead, not a test (tests/l1/bench_trace.sh).
run: deps
	@$(MAKE) --no-print-directory all
	$(B)/bin/kvmi-run --job harness/jobs/demo.sh

# Benchmarks are not tests: ratios within one run, JSON in results/.
bench: deps
	@$(MAKE) --no-print-directory all
	$(B)/bin/kvmi-run -t 600 --job harness/jobs/bench_host_map.sh
	$(B)/bin/kvmi-run -t 900 --job harness/jobs/bench_kvmmem.sh
	$(B)/bin/kvmi-run -t 600 --job harness/jobs/bench_trace.sh

# checkpatch from the source tarball, on our kernel files.
check: $(B)/checkpatch/scripts/checkpatch.pl
	cd $(B)/checkpatch && perl scripts/checkpatch.pl --no-tree --strict -f \
		$(abspath $(filter-out %.mod.c,$(wildcard kmod/*/*.c kmod/*/*.h)))
	cd $(B)/checkpatch && perl scripts/checkpatch.pl --no-tree --strict \
		$(abspath $(wildcard kmod/host/patches/*.patch))
$(B)/checkpatch/scripts/checkpatch.pl: $(KSRC_TAR)
	@mkdir -p $(B)/checkpatch
	tar -xf $< -C $(B)/checkpatch --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	touch $@

clean:
	$(MAKE) -C kmod/guest clean || true
	rm -rf $(B)
