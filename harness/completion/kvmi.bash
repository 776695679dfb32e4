# shellcheck shell=bash
# bash completion for the kvmi-harness tools: kvmi-run (test names from
# kvmi-run -l, options), kvmi-vm (commands, then VM names from vmconfigs/),
# kvmi-trace (modes, options). Installed by make install; or
#   . harness/completion/kvmi.bash

# The words of a tool's --help that look like long options.
_kvmi_opts() { "$1" --help 2>&1 | grep -oE -- '--[a-z][a-z-]*' | sort -u; }

_kvmi_run() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	case $prev in
	--job) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
	-t | --timeout | -j | --jobs | --repeat | --shard | --set) return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_kvmi_opts "${COMP_WORDS[0]}")" -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -W \
			"$("${COMP_WORDS[0]}" -l 2>/dev/null | awk '{ print $1 }')" -- "$cur")
	fi
}

_kvmi_vm() {
	local cur=${COMP_WORDS[COMP_CWORD]} bin=${COMP_WORDS[0]} top
	if [ "$COMP_CWORD" -eq 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W \
			"$("$bin" help 2>&1 | awk '/^  [a-z]/ { print $1 }')" -- "$cur")
	elif [ "$COMP_CWORD" -eq 2 ]; then
		# build/bin/kvmi-vm -> the project's vmconfigs/, L1 excepted
		top=$(dirname "$(dirname "$(dirname "$(readlink -f "$(type -P "$bin" || echo "$bin")")")")")
		mapfile -t COMPREPLY < <(compgen -W \
			"$(find "$top/vmconfigs" -name '*.json' ! -name l1.json -printf '%f\n' 2>/dev/null |
				sed 's/\.json$//')" -- "$cur")
	fi
}

_kvmi_trace() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		mapfile -t COMPREPLY < <(compgen -W "hc pin pfn zap --help --version" -- "$cur")
	elif [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_kvmi_opts "${COMP_WORDS[0]}")" -- "$cur")
	fi
}

complete -F _kvmi_run kvmi-run
complete -F _kvmi_vm kvmi-vm
complete -F _kvmi_trace kvmi-trace
