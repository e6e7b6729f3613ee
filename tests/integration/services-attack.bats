#!/usr/bin/env bats
# Attacks on `brig start` of a stopped service (runtime/service.c): a
# hostile container that writes a volume holding its log or pid file, that
# leaves processes behind when it stops, or that tries to keep a
# descriptor of the monitor.  brig's own (runc has no services).

load helpers

setup() {
	is_runc && skip "brig's own commands"
	setup_bundle
}

teardown() {
	local id pid pids=()
	for id in $(ls "$ROOT" 2>/dev/null); do
		pid=$(monitor_pid "$id")
		[ -n "$pid" ] && pids+=("$pid")
		[ -n "$pid" ] && kill -CONT "$pid" 2>/dev/null # BRIG_FAULT=...:stop
		brig delete -f "$id" >/dev/null 2>&1 || true
	done
	for pid in "${pids[@]}"; do wait_monitor_exit "$pid" || true; done
	teardown_bundle
}

# vol — $TESTDIR/vol, read-write at /vol in the container
vol() {
	mkdir -p "$TESTDIR/vol/d" "$TESTDIR/elsewhere"
	add_mount "$(jq -cn --arg s "$TESTDIR/vol" \
		'{destination: "/vol", type: "bind", source: $s, options: ["rbind", "rw"]}')"
}

# The container swaps /vol/d for a symlink to a host directory (a path it
# cannot reach, but the host's brig would follow), once.
SWAP='[ -L /vol/d ] || { mv /vol/d /vol/d.old; ln -s "$1" /vol/d; }'

@test "start: a log directory the container replaced by a symlink is refused, nothing written through it; stays stopped" {
	vol
	set_args sh -c "echo run; $SWAP" sh "$TESTDIR/elsewhere"
	run_detached "$CID" --log-path "$TESTDIR/vol/d/svc.log"
	wait_monitor_exit "$(monitor_pid)"
	[ -L "$TESTDIR/vol/d" ]
	run --separate-stderr brig start "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"not the one of the first run"* ]]
	[ -z "$(ls -A "$TESTDIR/elsewhere")" ]
	[ "$(state_field "$CID" status)" = stopped ]
	[ -z "$(cgroups_named "$CID")" ]
	# the directory put back: start works again
	rm "$TESTDIR/vol/d"
	mv "$TESTDIR/vol/d.old" "$TESTDIR/vol/d"
	update_config '.process.args = ["sh", "-c", "echo again"]'
	brig start "$CID"
	wait_monitor_exit "$(monitor_pid)"
	grep -q 'stdout F again$' "$TESTDIR/vol/d/svc.log"
}

@test "start and --restart: a pid file's directory the container replaced is not written through" {
	vol
	set_args sh -c "echo run; $SWAP; exit 1" sh "$TESTDIR/elsewhere"
	run_detached "$CID" --restart on-failure:3 --log-path '' --pid-file "$TESTDIR/vol/d/pid"
	wait_monitor_exit "$(monitor_pid)"
	# the restart was refused: said in the log, the container stopped
	grep -q 'restart: --pid-file: .*not the one of the first run' "$ROOT/$CID/container.log"
	[ "$(state_field "$CID" status)" = stopped ]
	run --separate-stderr brig start "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[ -z "$(ls -A "$TESTDIR/elsewhere")" ]
	[ -z "$(cgroups_named "$CID")" ]
}

@test "start: a process left writing on the log pipes (host pid namespace) does not keep the monitor; start kills it" {
	remove_namespace pid
	share_dir
	set_args sh -c 'yes flood & sleep 60 & echo $! >/shared/bg; exit 7'
	run_detached "$CID" --log-path '' --log-max-size 1m --log-max-files 2
	wait_monitor_exit "$(monitor_pid)"
	# the exit is recorded though the writer went on; a silent process
	# is still there, in the cgroup
	[ "$(jq -r .brig.exitCode "$ROOT/$CID/state.json")" = 7 ]
	local bg
	bg=$(cat "$SHARED/bg")
	proc_alive "$bg"
	set_args sh -c 'echo second'
	brig start "$CID"
	wait_monitor_exit "$(monitor_pid)"
	! proc_alive "$bg"
	grep -q 'stdout F second$' "$ROOT/$CID/container.log"
}

@test "start: the restarted process holds only its stdio; the monitor lock is not the container's" {
	set_args sh -c 'sleep 30'
	run_detached "$CID" --log-path ''
	brig kill "$CID" KILL
	wait_monitor_exit "$(monitor_pid)"
	brig start "$CID"
	wait_status "$CID" running
	local pid
	pid=$(state_field "$CID" pid)
	[ "$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')" = "0 1 2 " ]
	# the lock is held by the new monitor alone
	[ -z "$(ls -l "/proc/$pid/fd" | grep monitor.lock)" ]
	ls -l "/proc/$(monitor_pid)/fd" | grep -q monitor.lock
}

@test "stop just after the process exited, before the monitor decides to restart: the restart does not happen" {
	set_args sh -c 'echo run; exit 1'
	# the monitor stops itself once the exit is recorded
	BRIG_FAULT=restart-decide:stop run_detached "$CID" --restart always --log-path ''
	local mon i
	mon=$(monitor_pid)
	for i in $(seq 100); do
		[ "$(awk '{print $3}' "/proc/$mon/stat")" = T ] && break
		sleep 0.05
	done
	[ "$(state_field "$CID" status)" = stopped ]
	[ ! -e "$ROOT/$CID/restart.pending" ]
	brig stop "$CID"
	kill -CONT "$mon"
	wait_monitor_exit "$mon"
	[ "$(grep -c 'stdout F run$' "$ROOT/$CID/container.log")" = 1 ]
	[ "$(state_field "$CID" status)" = stopped ]
}

@test "start racing delete and a new container of the same id: the new one is not taken over" {
	set_args sh -c 'echo first'
	run_detached "$CID" --log-path ''
	wait_monitor_exit "$(monitor_pid)"
	# start's monitor stops itself before it takes the container over
	(r=0; BRIG_FAULT=start-take:stop brig start "$CID" 2>"$TESTDIR/start.err" || r=$?
	 echo $r >"$TESTDIR/start.rc") &
	local mon="" p i
	for i in $(seq 100); do
		for p in $(procs_mentioning "$CID"); do
			[ "$(awk '{print $3}' "/proc/$p/stat")" = T ] && mon=$p
		done
		[ -n "$mon" ] && break
		sleep 0.05
	done
	[ -n "$mon" ]
	brig delete -f "$CID"
	set_args sh -c 'echo second'
	run_detached "$CID" --log-path ''
	wait_monitor_exit "$(monitor_pid)"
	kill -CONT "$mon"
	wait
	cat "$TESTDIR/start.err"
	[ "$(cat "$TESTDIR/start.rc")" -ne 0 ]
	[ "$(wc -l <"$TESTDIR/start.err")" = 1 ]
	grep -q 'deleted meanwhile' "$TESTDIR/start.err"
	[ "$(grep -c 'stdout F second$' "$ROOT/$CID/container.log")" = 1 ]
	[ "$(state_field "$CID" status)" = stopped ]
}

@test "start, stop by another local user of root's stopped service: one line each, nothing changed" {
	command -v setpriv >/dev/null || skip "needs setpriv"
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$BRIG" ||
		skip "$BRIG is not reachable by an unprivileged user"
	set_args sh -c 'echo run'
	run_detached "$CID" --log-path ''
	wait_monitor_exit "$(monitor_pid)"
	local cmd
	for cmd in start stop; do
		run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$BRIG" --root "$ROOT" "$cmd" "$CID"
		[ "$status" -ne 0 ]
		assert_error_line
	done
	[ ! -e "$ROOT/$CID/stopped-by-user" ]
	[ "$(grep -c 'stdout F run$' "$ROOT/$CID/container.log")" = 1 ]
	[ "$(state_field "$CID" status)" = stopped ]
}

@test "start: a hard link or a FIFO planted at the log's name between runs is refused, not written, not blocking" {
	vol
	echo secret >"$TESTDIR/vol/victim"
	set_args sh -c 'echo run; rm -f /vol/d/svc.log; ln /vol/victim /vol/d/svc.log'
	run_detached "$CID" --log-path "$TESTDIR/vol/d/svc.log"
	wait_monitor_exit "$(monitor_pid)"
	[ "$(stat -c %h "$TESTDIR/vol/victim")" = 2 ]
	run --separate-stderr brig start "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"more than one link"* ]]
	[ "$(cat "$TESTDIR/vol/victim")" = secret ]
	rm "$TESTDIR/vol/d/svc.log"
	mkfifo "$TESTDIR/vol/d/svc.log"
	run --separate-stderr timeout 5 "$BRIG" --root "$ROOT" start "$CID"
	[ "$status" -ne 0 ] && [ "$status" -ne 124 ]
	assert_error_line
	[[ $stderr == *"FIFO"* ]]
	[ "$(state_field "$CID" status)" = stopped ]
	[ -z "$(cgroups_named "$CID")" ]
}

@test "start: a process the stopped container left in a cgroup of its own making (CAP_SYS_ADMIN, rw cgroupfs) is killed" {
	remove_namespace pid
	update_config '(.mounts[] | select(.destination == "/sys/fs/cgroup") | .options) |=
			map(if . == "ro" then "rw" else . end)
		| .process.capabilities.bounding += ["CAP_SYS_ADMIN"]
		| .process.capabilities.effective += ["CAP_SYS_ADMIN"]
		| .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	share_dir
	# v1 (a hierarchy per controller) or v2: a child cgroup "sub" in each
	set_args sh -c 'sleep 100 & p=$!
		for c in /sys/fs/cgroup /sys/fs/cgroup/*/; do
			[ -e "$c/cgroup.procs" ] || continue
			mkdir -p "$c/sub" && echo $p >"$c/sub/cgroup.procs"
		done
		grep -q /sub /proc/$p/cgroup && echo $p >/shared/bg'
	run_detached "$CID" --log-path ''
	wait_monitor_exit "$(monitor_pid)"
	local bg
	bg=$(cat "$SHARED/bg")
	proc_alive "$bg"
	set_args true
	brig start "$CID"
	wait_monitor_exit "$(monitor_pid)"
	! proc_alive "$bg"
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "start whose monitor is killed mid-create: one line; the next start runs it (not stuck \"creating\"); delete leaves nothing" {
	set_args sh -c 'echo run'
	run_detached "$CID" --log-path ''
	wait_monitor_exit "$(monitor_pid)"
	local step
	for step in cgroup ready; do
		run --separate-stderr env BRIG_FAULT=$step "$BRIG" --root "$ROOT" start "$CID"
		[ "$status" -ne 0 ]
		assert_error_line
		brig start "$CID"
		wait_monitor_exit "$(monitor_pid)"
	done
	[ "$(grep -c 'stdout F run$' "$ROOT/$CID/container.log")" = 3 ]
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "start in a loop: nothing grows from run to run (state directory, cgroups, the monitor's descriptors)" {
	set_args sh -c 'echo run; sleep 0.3'
	run_detached "$CID" --log-path '' --pid-file "$TESTDIR/pid"
	local mon files cgs fds i
	mon=$(monitor_pid)
	fds=$(ls "/proc/$mon/fd" | wc -l)
	wait_monitor_exit "$mon"
	files=$(ls "$ROOT/$CID" | tr '\n' ' ')
	cgs=$(cgroups_named "$CID" | wc -l)
	for i in 1 2 3 4; do
		brig start "$CID"
		mon=$(monitor_pid)
		[ "$(ls "/proc/$mon/fd" | wc -l)" -le "$fds" ]
		wait_monitor_exit "$mon"
		[ "$(ls "$ROOT/$CID" | tr '\n' ' ')" = "$files" ]
		[ "$(cgroups_named "$CID" | wc -l)" = "$cgs" ]
	done
	[ "$(grep -c 'stdout F run$' "$ROOT/$CID/container.log")" = 5 ]
}
