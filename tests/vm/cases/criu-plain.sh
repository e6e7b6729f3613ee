# criu-plain — CRIU itself works in the VM (it cannot on the host's
# kernel), before brig drives it: `criu check`, then a counting loop
# dumped, stopped, restored, and counting on from where it stopped; the same
# for a loop in new pid, network, uts and ipc namespaces (the flags that
# needed are what brig's checkpoint/restore must pass too).
. "$(dirname "$0")/lib.sh"

if ! command -v criu >/dev/null; then
	skip "criu check, dump and restore" "no criu in the VM (the host lacks package criu)"
	exit 0
fi

D=/tmp/criu-plain
PIDS=
cleanup() {
	local p
	for p in $PIDS; do
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf $D
}
trap cleanup EXIT
mkdir -p $D

# ------------------------------------------------------------ criu check
out=$(criu check 2>&1)
rc=$?
if [ $rc -eq 0 ]; then
	ok "criu check: $(echo "$out" | tail -1)"
else
	not_ok "criu check" "status $rc, output:" "$out"
fi

# count_of FILE — the number the loop last wrote (empty while it writes).
count_of() {
	cat "$1" 2>/dev/null
}

# wait_count FILE N — until the loop has written more than N (~10 s).
wait_count() {
	local i c
	for i in $(seq 100); do
		c=$(count_of "$1")
		[ -n "$c" ] && [ "$c" -gt "$2" ] && return 0
		usleep 100000
	done
	return 1
}

# dump_restore NAME PID COUNT IMG DUMP-FLAGS... — dump PID (criu kills it
# after the dump), check the count stands still, restore detached, check it
# goes on from where it stopped and keeps going. Prints the restored pid.
dump_restore() {
	local name=$1 pid=$2 count=$3 img=$4 c0 c1 c2 c3 out rpid
	shift 4
	mkdir -p "$img"
	c0=$(count_of "$count")
	out=$(criu dump -t "$pid" -D "$img" -o dump.log "$@" 2>&1)
	if [ $? -ne 0 ]; then
		not_ok "$name: dump" "criu dump -t $pid $*:" "$out" "$(grep -E 'Error|Warn' "$img/dump.log" | tail -15)"
		return 1
	fi
	c1=$(count_of "$count")
	[ -n "$c1" ] || c1=$c0 # dumped between the truncate and the write
	usleep 500000
	c2=$(count_of "$count")
	if kill -0 "$pid" 2>/dev/null || [ "$c2" != "$c1" ]; then
		not_ok "$name: dump stops the process" "pid $pid alive: $(kill -0 "$pid" 2>&1 && echo yes), count $c1 then $c2"
		return 1
	fi
	out=$(criu restore -D "$img" -o restore.log --restore-detached --pidfile "$img/pid" 2>&1)
	rpid=$(cat "$img/pid" 2>/dev/null)
	PIDS="$PIDS $rpid"
	if [ -z "$rpid" ]; then
		not_ok "$name: restore" "criu restore:" "$out" "$(grep -E 'Error|Warn' "$img/restore.log" | tail -15)"
		return 1
	fi
	if wait_count "$count" "$c1" && c2=$(count_of "$count") && wait_count "$count" "$c2"; then
		c3=$(count_of "$count")
		ok "$name: dumped at $c1, restored (pid $rpid), counts on: $c2, $c3"
	else
		not_ok "$name: restored process counts on from $c1" "count now: $(count_of "$count")" \
			"restore: $out" "$(tail -5 "$img/restore.log")"
	fi
	echo "$rpid" >"$img/restored"
}

# A loop that writes its count ten times a second; no terminal, own session.
LOOP='i=0; while :; do i=$((i + 1)); echo $i >"$0"; usleep 100000; done'

# ----------------------------------------------------- a plain process
setsid sh -c "$LOOP" $D/count </dev/null >/dev/null 2>&1 &
pid=$!
PIDS="$PIDS $pid"
if wait_count $D/count 5; then
	dump_restore "plain process" $pid $D/count $D/img
else
	not_ok "plain process: the loop counts" "count: $(count_of $D/count)"
fi
for p in $PIDS; do kill -KILL $p 2>/dev/null; done
PIDS=
