# tests/vm-systemd/tap.bash — numbered TAP for the checks inside the VM.
#
#   check NAME FUNC ARGS...   run FUNC; "ok N - NAME" when it returns 0,
#                             else "not ok N - NAME" and what it printed
#                             as "# " lines
#   skip_check NAME WHY       "ok N - NAME # skip WHY"
#   tap_bats PREFIX ARGS...   bats --tap ARGS, its results renumbered into
#                             this stream, each name after PREFIX
#   tap_plan                  the plan, last

TAP_N=0

check() {
	local name=$1 out rc
	shift
	out=$(mktemp /tmp/vmsd-check.XXXXXX)
	"$@" >"$out" 2>&1 </dev/null
	rc=$?
	TAP_N=$((TAP_N + 1))
	if [ $rc -eq 0 ]; then
		echo "ok $TAP_N - $name"
	else
		echo "not ok $TAP_N - $name"
		sed 's/^/# /' "$out" | tail -n 60
	fi
	rm -f "$out"
	return 0
}

skip_check() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # skip $2"
}

tap_bats() {
	local prefix=$1 line
	shift
	bats --tap "$@" </dev/null 2>&1 | while IFS= read -r line; do
		case $line in
		1..*) ;;
		"ok "* | "not ok "*)
			# "ok 3 name" -> "ok N - PREFIX: name"
			local verdict=${line%% [0-9]*} rest=${line#* }
			[ "$verdict" = "not ok" ] && rest=${rest#ok }
			rest=${rest#* }
			echo "$verdict @ - $prefix: ${rest#- }"
			;;
		*) echo "# $line" ;;
		esac
	done >/tmp/vmsd-bats.tap
	while IFS= read -r line; do
		if [[ $line == *" @ - "* ]]; then
			TAP_N=$((TAP_N + 1))
			echo "${line/ @ / $TAP_N }"
		else
			echo "$line"
		fi
	done </tmp/vmsd-bats.tap
	rm -f /tmp/vmsd-bats.tap
}

tap_plan() { echo "1..$TAP_N"; }

# want WHAT GOT EXPECTED — compare, saying what differs.
want() {
	[ "$2" = "$3" ] && return 0
	echo "$1: got '$2', want '$3'"
	return 1
}

# failed_with FILE — print FILE, fail (for a step whose output was kept).
failed_with() {
	cat "$1"
	return 1
}
