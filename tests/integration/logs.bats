#!/usr/bin/env bats
# Logged stdio: run -d --log-path, the monitor, brig logs, list.

load helpers

setup() { setup_bundle; }
teardown() {
	wait_monitor_gone
	teardown_bundle
}

wait_monitor_gone() {
	local pid i
	pid=$(monitor_pid)
	[ -n "$pid" ] || return 0
	brig delete -f "$CID" >/dev/null 2>&1 || true
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
}

# wait_exit ID — until the monitor has recorded the exit code (~20 s)
wait_exit() {
	local i
	for i in $(seq 400); do
		[ "$(jq -r '.brig.exitCode // empty' "$ROOT/$1/state.json" 2>/dev/null)" != "" ] && return 0
		sleep 0.05
	done
	echo "no exit code recorded for $1" >&2
	return 1
}

# CRI records of the stream, reassembled: P pieces joined, F adds "\n"
reassemble() { # FILE STREAM
	awk -v s="$2" 'substr($0, 32, length(s)) == s {
		t = substr($0, 32 + length(s) + 3)
		if (substr($0, 32 + length(s) + 1, 1) == "P") printf "%s", t; else printf "%s\n", t }' "$1"
}

@test "run -d --log-path: CRI lines with P and F, both streams, exit code in state and list" {
	set_args sh -c 'echo hello; echo oops >&2; printf partial; sleep 0.2; echo " done"; exit 3'
	run_detached "$CID" --log-path "$TESTDIR/c.log"
	wait_exit "$CID"
	cat "$TESTDIR/c.log" >&2
	grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z stdout F hello$' "$TESTDIR/c.log"
	grep -E 'Z stderr F oops$' "$TESTDIR/c.log"
	grep -E 'Z stdout P partial$' "$TESTDIR/c.log"
	grep -E 'Z stdout F  done$' "$TESTDIR/c.log"
	[ "$(state_field "$CID" status)" = stopped ]
	[ "$(jq -r .brig.exitCode "$ROOT/$CID/state.json")" = 3 ]
	run brig list
	echo "$output" >&2
	[[ ${lines[0]} == "ID"*"PID"*"STATUS"*"CREATED"*"BUNDLE"*"OWNER"*"IPV4"*"PORTS" ]]
	[[ $output == *"$CID"*"stopped (3)"*"ago"*"$BUNDLE"*root* ]]
	run brig list -q
	[ "$output" = "$CID" ]
	run brig list --format json
	[ "$(jq -r '.[0].id' <<<"$output")" = "$CID" ]
	[ "$(jq -r '.[0].status' <<<"$output")" = stopped ]
	# logs: stdout to stdout, stderr to stderr, pieces joined
	run --separate-stderr brig logs "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = $'hello\npartial done' ]
	[ "$stderr" = oops ]
	# the container saw /dev/null as stdin
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "default log file in the state dir; the monitor is not the caller's child and reaps the container" {
	share_dir
	set_args sh -c 'echo up; cat; echo "stdin-eof"; sleep 0.3; echo bye'
	run_detached "$CID" --log-path ''
	wait_exit "$CID"
	grep -q 'stdout F up$' "$ROOT/$CID/container.log"
	grep -q 'stdout F stdin-eof$' "$ROOT/$CID/container.log"
	grep -q 'stdout F bye$' "$ROOT/$CID/container.log"
	[ "$(jq -r .brig.exitCode "$ROOT/$CID/state.json")" = 0 ]
	[ -n "$(jq -r .brig.finished "$ROOT/$CID/state.json")" ]
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "the monitor outlives the caller: parent is not the caller, runs in its own session" {
	set_args sh -c 'sleep 100'
	run_detached "$CID" --log-path ''
	local mon pid
	mon=$(monitor_pid)
	pid=$(state_field "$CID" pid)
	proc_alive "$mon"
	# the container's parent is the monitor; the monitor's is not us
	[ "$(awk '{print $4}' /proc/$pid/stat)" = "$mon" ]
	[ "$(awk '{print $4}' /proc/$mon/stat)" != "$$" ]
	[ "$(ps -o sid= -p "$mon")" != "$(ps -o sid= -p $$)" ]
	echo "# monitor peak RSS: $(grep VmHWM /proc/$mon/status)" >&3
	brig kill "$CID" KILL
	wait_exit "$CID"
	[ "$(jq -r .brig.exitCode "$ROOT/$CID/state.json")" = 137 ]
	run brig list
	[[ $output == *"stopped (137)"* ]]
	brig delete "$CID"
}

@test "logs -f sees lines as they arrive and ends when the container stops" {
	share_dir
	set_args sh -c 'echo one; while [ ! -e /shared/go ]; do sleep 0.05; done; echo two; sleep 0.5; echo three'
	run_detached "$CID" --log-path ''
	brig logs -f "$CID" >"$TESTDIR/follow.out" 2>&1 &
	local lp=$! i
	for i in $(seq 100); do grep -q one "$TESTDIR/follow.out" && break; sleep 0.05; done
	[ "$(cat "$TESTDIR/follow.out")" = one ]
	touch "$SHARED/go"
	for i in $(seq 100); do grep -q two "$TESTDIR/follow.out" && break; sleep 0.05; done
	grep -q two "$TESTDIR/follow.out"
	run ! grep -q three "$TESTDIR/follow.out" # (a bare `! cmd` never fails a bats test)
	timeout 10 tail --pid=$lp -f /dev/null
	wait $lp
	[ "$(cat "$TESTDIR/follow.out")" = $'one\ntwo\nthree' ]
	brig delete "$CID"
}

@test "logs --tail, --since, -t" {
	set_args sh -c 'for i in 1 2 3 4 5; do echo line$i; done'
	run_detached "$CID" --log-path ''
	wait_exit "$CID"
	run brig logs --tail 2 "$CID"
	[ "$output" = $'line4\nline5' ]
	run brig logs --tail 0 "$CID"
	[ -z "$output" ]
	run brig logs -t "$CID"
	[[ ${lines[0]} =~ ^[0-9-]{10}T[0-9:]{8}\.[0-9]{9}Z\ line1$ ]]
	run brig logs --since 1m "$CID"
	[ "${#lines[@]}" -eq 5 ]
	run brig logs --since 2099-01-01T00:00:00Z "$CID"
	[ -z "$output" ]
	run brig logs --since 2000-01-01T00:00:00+02:00 "$CID"
	[ "${#lines[@]}" -eq 5 ]
	run --separate-stderr brig logs --since yesterday "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	brig delete "$CID"
	run --separate-stderr brig logs "$CID"
	[ "$status" -ne 0 ]
}

@test "--log-max-size and --log-max-files rotate the log; logs reads across files" {
	set_args sh -c 'i=0; while [ $i -lt 400 ]; do echo "line $i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; i=$((i+1)); done'
	run_detached "$CID" --log-path "$TESTDIR/r.log" --log-max-size 4k --log-max-files 3
	wait_exit "$CID"
	ls -l "$TESTDIR" >&2
	[ -f "$TESTDIR/r.log" ] && [ -f "$TESTDIR/r.log.1" ] && [ -f "$TESTDIR/r.log.2" ]
	[ ! -e "$TESTDIR/r.log.3" ]
	local f
	for f in "$TESTDIR"/r.log*; do [ "$(stat -c %s "$f")" -le 4096 ]; done
	run brig logs "$CID"
	# the newest lines are kept, in order, up to the last one
	[ "${lines[-1]}" = "line 399 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" ]
	local n=${#lines[@]} first
	first=${lines[0]#line }; first=${first%% *}
	[ $((first + n)) -eq 400 ]
	brig delete "$CID"
}

@test "nothing is lost: ${BRIG_LOG_MB:-100} MB of lines and bursts without newlines, in order" {
	local mb=${BRIG_LOG_MB:-100}
	# deterministic: numbered lines, then bursts with no newline at all
	local gen="seq 1 $((mb * 11300)) | sed 's/\$/ abcdefghijklmnopqrstuvwxyz0123456789 the quick brown fox/'; yes 0123456789abcdefghij | tr -d '\\n' | head -c $((mb * 200000)); echo; yes ABCDEFGHIJ | head -c $((mb * 100000)) | tr -d '\\n'"
	set_args sh -c "$gen"
	local t0=$SECONDS
	run_detached "$CID" --log-path "$TESTDIR/big.log"
	wait_exit "$CID"
	echo "# $mb MB logged in $((SECONDS - t0)) s; log $(stat -c %s "$TESTDIR/big.log") bytes" >&3
	local want got viacli
	want=$(sh -c "$gen" | sha256sum)
	got=$(reassemble "$TESTDIR/big.log" stdout | sha256sum)
	[ "$want" = "$got" ]
	viacli=$(brig logs "$CID" | sha256sum)
	[ "$want" = "$viacli" ]
	[ "$(sh -c "$gen" | wc -c)" -ge $((mb * 1000000 * 9 / 10)) ]
	brig delete "$CID"
}

@test "--log-path errors: bad path, run without -d" {
	run --separate-stderr brig run -d --bundle "$BUNDLE" --log-path /nonexistent/dir/x.log "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"/nonexistent/dir/x.log"* ]]
	run --separate-stderr brig run --bundle "$BUNDLE" --log-path '' "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	run --separate-stderr brig run -d --bundle "$BUNDLE" --log-max-size 0 "$CID"
	[ "$status" -ne 0 ]
	assert_nothing_left "$CID"
}

@test "create --log-path, then start: the monitor logs from the start on; logs of an unlogged container fails" {
	set_args sh -c 'echo started; exit 5'
	create_ctr "$CID" --log-path ''
	[ "$(state_field "$CID" status)" = created ]
	[ ! -s "$ROOT/$CID/container.log" ]
	brig start "$CID"
	wait_exit "$CID"
	run brig logs "$CID"
	[ "$output" = started ]
	run brig list
	[[ $output == *"stopped (5)"* ]]
	brig delete "$CID"
	assert_nothing_left "$CID"

	set_args sh -c 'echo plain'
	run_detached "$CID"
	run --separate-stderr brig logs "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"no log"* ]]
}

# ---------------------------------------------------------------------------
# A container that can write the log directory (a shared volume) attacks the
# monitor and `brig logs` through the names in it. $TESTDIR/shadow stands
# for /etc/shadow: a root file on the same filesystem that the container
# cannot see.

make_target() {
	printf 'root:$6$not-for-the-container:19000:0:99999:7:::\n' >"$TESTDIR/shadow"
	chmod 600 "$TESTDIR/shadow"
	TARGET_SUM=$(sha256sum <"$TESTDIR/shadow")
}

target_untouched() {
	if [ "$(sha256sum <"$TESTDIR/shadow")" != "$TARGET_SUM" ]; then
		echo "the host file was written:" >&2
		head -c 2000 "$TESTDIR/shadow" >&2
		return 1
	fi
}

# give_linkplant — the container gets the hard-link planter and what it
# needs: CAP_DAC_READ_SEARCH (open_by_handle_at, linkat of a descriptor)
# and no seccomp filter. Sets HANDLE to the file handle of the target.
give_linkplant() {
	cp "$(helper_bin linkplant -static)" "$BUNDLE/rootfs/bin/linkplant"
	update_config '.process.capabilities |= with_entries(.value += ["CAP_DAC_READ_SEARCH"]) | del(.linux.seccomp)'
	HANDLE=$("$(helper_bin linkplant -static)" handle "$TESTDIR/shadow")
}

# release_fifo FILE — a writer stuck opening the FIFO FILE is let go (an
# O_RDWR open never blocks), so an old monitor can be cleaned up
release_fifo() {
	[ -p "$1" ] || return 0
	local fd
	exec {fd}<>"$1"
	sleep 0.5
	exec {fd}<&-
}

# every regular file the monitor wrote stays within the limit
assert_log_sizes() { # DIR MAX
	local f bad=0
	for f in "$1"/app.log "$1"/app.log.[0-9]* "$1"/.brig-log.*; do
		[ -f "$f" ] && [ ! -L "$f" ] || continue
		if [ "$(stat -c %s "$f")" -gt "$2" ]; then
			echo "$f: $(stat -c %s "$f") bytes, over $2" >&2
			bad=1
		fi
	done
	return $bad
}

# rotation_attack KIND — the container makes every rotated name a
# non-empty directory (rename cannot move anything onto them), replaces
# app.log with KIND, then writes enough for several rotations.
rotation_attack() {
	local kind=$1 plant
	make_target
	share_dir
	case $kind in
	symlink) plant="ln -s '$TESTDIR/shadow' app.log" ;;
	hardlink) give_linkplant; plant="linkplant link /shared '$HANDLE' /shared/app.log" ;;
	fifo) plant="mkfifo app.log" ;;
	dir) plant="mkdir -p app.log/keep" ;;
	esac
	set_args sh -c "cd /shared && mkdir -p app.log.1/keep app.log.2/keep && rm -f app.log &&
		$plant && touch planted &&
		i=0; while [ \$i -lt 300 ]; do echo \"line \$i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"; i=\$((i+1)); done"
	run_detached "$CID" --log-path "$SHARED/app.log" --log-max-size 4k --log-max-files 3
	local rc=0
	wait_exit "$CID" || rc=1
	release_fifo "$SHARED/app.log"
	ls -la "$SHARED" >&2
	[ -e "$SHARED/planted" ]
	target_untouched
	[ $rc -eq 0 ]
	# the monitor took its name back and kept logging, within the limit
	[ -f "$SHARED/app.log" ] && [ ! -L "$SHARED/app.log" ]
	[ "$(stat -c %h "$SHARED/app.log")" -eq 1 ]
	assert_log_sizes "$SHARED" 4096
	tail -n 1 "$SHARED/app.log" | grep -q 'stdout F line 299 x'
	run brig logs "$CID"
	[ "${lines[-1]}" = "line 299 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" ]
	brig delete "$CID"
}

@test "log attack: FILE replaced by a symlink to a host file while rotation is blocked" {
	rotation_attack symlink
}

@test "log attack: FILE replaced by a hard link to a host file (open_by_handle_at) while rotation is blocked" {
	rotation_attack hardlink
}

@test "log attack: FILE replaced by a FIFO: the monitor does not block" {
	rotation_attack fifo
}

@test "log attack: FILE replaced by a directory: the monitor keeps logging" {
	rotation_attack dir
}

@test "log attack: what an earlier container left at --log-path is refused, not followed" {
	make_target
	share_dir
	set_args sh -c 'echo pwned'
	local kind
	for kind in symlink hardlink fifo dir; do
		rm -rf "$SHARED/app.log"
		case $kind in
		symlink) ln -s "$TESTDIR/shadow" "$SHARED/app.log" ;;
		hardlink) ln "$TESTDIR/shadow" "$SHARED/app.log" ;; # as linkplant would
		fifo) mkfifo "$SHARED/app.log" ;;
		dir) mkdir "$SHARED/app.log" ;;
		esac
		run --separate-stderr timeout 10 "$BRIG" --root "$ROOT" run -d --bundle "$BUNDLE" \
			--log-path "$SHARED/app.log" "$CID" </dev/null
		echo "# $kind: status $status" >&2
		release_fifo "$SHARED/app.log"
		[ "$status" -ne 0 ]
		[ "$status" -ne 124 ] # not stuck
		assert_error_line
		[[ $stderr == *"$SHARED/app.log"* ]]
		assert_nothing_left "$CID"
		target_untouched
	done
}

@test "logs attack: rotated names planted as a symlink, a FIFO and a hard link to host files are not read" {
	make_target
	printf '2026-01-01T00:00:00.000000000Z stdout F secret-from-host\n' >"$TESTDIR/secret.log"
	share_dir
	give_linkplant
	set_args sh -c "echo real-1; echo real-2; cd /shared &&
		ln -s '$TESTDIR/secret.log' app.log.1 && mkfifo app.log.2 &&
		linkplant link /shared '$HANDLE' /shared/app.log.3 && touch planted"
	run_detached "$CID" --log-path "$SHARED/app.log"
	wait_exit "$CID"
	[ -e "$SHARED/planted" ]
	# a reader of the FIFO would wait for a writer: only timeout ends it
	local args
	for args in "" "--tail 5" "-f"; do
		run --separate-stderr timeout 10 "$BRIG" --root "$ROOT" logs $args "$CID"
		echo "# logs $args: status $status; stdout: $output; stderr: $stderr" >&2
		[ "$status" -eq 0 ]
		[ "$output" = $'real-1\nreal-2' ]
		[[ $stderr != *secret* && $stderr != *not-for-the-container* ]]
		[[ $stderr == *"app.log.1"* ]]
	done
	# and the current file itself
	rm "$SHARED/app.log"
	ln -s "$TESTDIR/secret.log" "$SHARED/app.log"
	run --separate-stderr timeout 10 "$BRIG" --root "$ROOT" logs "$CID"
	[ "$status" -eq 0 ]
	[[ $output != *secret* ]]
	brig delete "$CID"
}

@test "the container's init, waiting for start, holds nothing of the log or its directory" {
	mkdir "$TESTDIR/logs"
	set_args sh -c 'echo hi'
	create_ctr "$CID" --log-path "$TESTDIR/logs/c.log"
	local pid
	pid=$(state_field "$CID" pid)
	run ls -l "/proc/$pid/fd"
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[[ $output != *"$TESTDIR/logs"* ]]
	brig start "$CID"
	wait_exit "$CID"
	grep -q 'stdout F hi$' "$TESTDIR/logs/c.log"
	brig delete "$CID"
}

@test "--log-max-size holds for a record longer than the limit: it is split into P pieces" {
	set_args sh -c 'head -c 20000 /dev/zero | tr "\0" a; echo; echo end'
	run_detached "$CID" --log-path "$TESTDIR/o.log" --log-max-size 4k --log-max-files 10
	wait_exit "$CID"
	ls -l "$TESTDIR" >&2
	local f
	for f in "$TESTDIR"/o.log*; do [ "$(stat -c %s "$f")" -le 4096 ]; done
	run brig logs "$CID"
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "$(head -c 20000 /dev/zero | tr '\0' a)" ]
	[ "${lines[1]}" = end ]
	# a limit with no room for a record is refused
	run --separate-stderr brig run -d --bundle "$BUNDLE" --log-path "$TESTDIR/p.log" --log-max-size 100 "$CID-2"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"--log-max-size"* ]]
	brig delete "$CID"
}

@test "no file can be created at rotation (the container used up the volume's inodes): logs says so, logging resumes" {
	mkdir "$TESTDIR/shared"
	mount -t tmpfs -o size=4m,nr_inodes=32,mode=777 brig-test-logs "$TESTDIR/shared"
	share_dir
	local line='xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'
	set_args sh -c "cd /shared; i=0; while touch f\$i 2>/dev/null; do i=\$((i+1)); done
		i=0; while [ \$i -lt 60 ]; do echo \"dropped \$i $line\"; i=\$((i+1)); done
		# until the monitor has moved app.log away and found no room for a new one
		i=0; while [ -e app.log ] && [ \$i -lt 200 ]; do sleep 0.05; i=\$((i+1)); done
		rm -f f*
		i=0; while [ \$i -lt 150 ]; do echo \"kept \$i $line\"; i=\$((i+1)); done"
	run_detached "$CID" --log-path "$SHARED/app.log" --log-max-size 4k --log-max-files 3
	wait_exit "$CID"
	ls -la "$SHARED" >&2
	run --separate-stderr brig logs "$CID"
	echo "# stderr: $stderr" >&2
	[ "$status" -eq 0 ]
	[[ $stderr == *"$SHARED/app.log: no new log file at rotation"*"output is dropped until the next rotation"* ]]
	[ "${lines[-1]}" = "kept 149 $line" ]
	assert_log_sizes "$SHARED" 4096
	brig delete "$CID"
	umount "$TESTDIR/shared"
}
