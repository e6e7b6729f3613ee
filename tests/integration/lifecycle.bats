#!/usr/bin/env bats
# create / start / state / kill / delete / run / list.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# A container that stays up until killed and reports TERM/USR1 in /shared.
long_running() {
	share_dir
	set_args sh -c 'trap "echo TERM >/shared/sig; exit 0" TERM
		trap "echo USR1 >>/shared/sig" USR1
		echo up >/shared/up
		while :; do sleep 100 & wait; done'
}

@test "create leaves the process blocked; start runs it; kill stops it; delete removes it" {
	share_dir
	set_args sh -c 'echo started >/shared/started; echo out; exec sleep 100'
	create_ctr "$CID"

	run brig state "$CID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = created ]
	local pid
	pid=$(jq -r .pid <<<"$output")
	[ "$pid" -gt 0 ]
	proc_alive "$pid"
	# Blocked before execve: not the user's program yet, and it did nothing.
	local argv0
	argv0=$(tr '\0' '\n' <"/proc/$pid/cmdline" | head -1)
	[ "$argv0" != sh ]
	[ "$argv0" != sleep ]
	sleep 0.2
	[ ! -e "$SHARED/started" ]
	[ ! -s "$TESTDIR/$CID.out" ]

	run brig start "$CID"
	[ "$status" -eq 0 ]
	wait_file "$SHARED/started"
	[ "$(state_field "$CID" status)" = running ]
	[ "$(state_field "$CID" pid)" = "$pid" ]
	# Same process, now the container's program (sh exec'd sleep).
	wait_file "$TESTDIR/$CID.out"
	[ "$(cat "$TESTDIR/$CID.out")" = out ]
	for _ in $(seq 50); do
		argv0=$(tr '\0' '\n' <"/proc/$pid/cmdline" | head -1)
		[ "$argv0" = sleep ] && break
		sleep 0.05
	done
	[ "$argv0" = sleep ]

	# A second start is refused.
	run brig start "$CID"
	[ "$status" -ne 0 ]

	run brig kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_status "$CID" stopped
	! proc_alive "$pid" || false

	run brig delete "$CID"
	[ "$status" -eq 0 ]
	run brig state "$CID"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/$CID" ]
	assert_nothing_left "$CID"
}

@test "run returns the container's exit code" {
	run_sh 'exit 3'
	[ "$status" -eq 3 ]
	run_sh 'exit 0'
	[ "$status" -eq 0 ]
	run_sh 'exit 255'
	[ "$status" -eq 255 ]
	# run deletes the container afterwards.
	run brig state "$CID"
	[ "$status" -ne 0 ]
	assert_nothing_left "$CID"
}

@test "run of a container killed by a signal returns 128+N" {
	long_running
	brig run --bundle "$BUNDLE" "$CID" </dev/null >"$TESTDIR/out" 2>&1 &
	local runpid=$!
	wait_file "$SHARED/up"
	brig kill "$CID" KILL
	local rc=0
	wait "$runpid" || rc=$?
	[ "$rc" -eq 137 ]
	assert_nothing_left "$CID"
}

@test "run -d returns at once and leaves the container running" {
	long_running
	run_detached "$CID"
	wait_file "$SHARED/up"
	[ "$(state_field "$CID" status)" = running ]
	local pid
	pid=$(state_field "$CID" pid)
	proc_alive "$pid"
	brig kill "$CID" TERM
	wait_status "$CID" stopped
	[ "$(cat "$SHARED/sig")" = TERM ]
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "run --detach is run -d" {
	long_running
	brig run --detach --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1
	wait_file "$SHARED/up"
	[ "$(state_field "$CID" status)" = running ]
	brig delete -f "$CID"
	assert_nothing_left "$CID"
}

@test "--pid-file holds the pid that state reports" {
	long_running
	create_ctr "$CID" --pid-file "$TESTDIR/pidfile"
	[ -s "$TESTDIR/pidfile" ]
	[ "$(cat "$TESTDIR/pidfile")" = "$(state_field "$CID" pid)" ]
	proc_alive "$(cat "$TESTDIR/pidfile")"

	run_detached "$CID-2" --pid-file "$TESTDIR/pidfile2"
	[ "$(cat "$TESTDIR/pidfile2")" = "$(state_field "$CID-2" pid)" ]
}

@test "state reports the OCI fields" {
	long_running
	create_ctr "$CID"
	run brig state "$CID"
	[ "$status" -eq 0 ]
	echo "$output"
	jq -e . <<<"$output" >/dev/null
	[[ $(jq -r .ociVersion <<<"$output") == 1.* ]]
	[ "$(jq -r .id <<<"$output")" = "$CID" ]
	[ "$(jq -r .status <<<"$output")" = created ]
	[ "$(jq -r .pid <<<"$output")" -gt 0 ]
	[ "$(realpath "$(jq -r .bundle <<<"$output")")" = "$(realpath "$BUNDLE")" ]
	# created: RFC 3339 time of today
	[[ $(jq -r .created <<<"$output") == $(date -u +%Y-)* ]]
	[ "$(jq -r .owner <<<"$output")" = "" ] || [ "$(jq -r .owner <<<"$output")" = root ]
	jq -e 'has("owner")' <<<"$output"
}

@test "list shows containers as a table, as JSON and quietly" {
	long_running
	create_ctr "$CID-a"
	run_detached "$CID-b"
	wait_status "$CID-b" running

	run brig list -q
	[ "$status" -eq 0 ]
	[ "$(sort <<<"$output")" = "$(printf '%s\n' "$CID-a" "$CID-b")" ]
	run brig list --quiet
	[ "${#lines[@]}" -eq 2 ]

	run brig list
	[ "$status" -eq 0 ]
	echo "$output"
	if is_runc; then
		[[ ${lines[0]} == ID*PID*STATUS*BUNDLE*CREATED*OWNER* ]]
		grep -E "^$CID-a +[0-9]+ +created +$BUNDLE " <<<"$output"
		grep -E "^$CID-b +[0-9]+ +running +$BUNDLE " <<<"$output"
	else
		# like docker ps -a: CREATED is relative and comes before BUNDLE
		[[ ${lines[0]} == ID*PID*STATUS*CREATED*BUNDLE*OWNER* ]]
		grep -E "^$CID-a +[0-9]+ +created +[^/]* ago +$BUNDLE " <<<"$output"
		grep -E "^$CID-b +[0-9]+ +running +[^/]* ago +$BUNDLE " <<<"$output"
	fi

	for fmt in "--format json" "-f json"; do
		run brig list $fmt
		[ "$status" -eq 0 ]
		[ "$(jq length <<<"$output")" -eq 2 ]
		[ "$(jq -r --arg i "$CID-a" '.[] | select(.id == $i) | .status' <<<"$output")" = created ]
		[ "$(jq -r --arg i "$CID-b" '.[] | select(.id == $i) | .status' <<<"$output")" = running ]
		[ "$(jq -r --arg i "$CID-b" '.[] | select(.id == $i) | .pid' <<<"$output")" = "$(state_field "$CID-b" pid)" ]
		[ "$(jq -r --arg i "$CID-a" '.[] | select(.id == $i) | .bundle' <<<"$output")" = "$BUNDLE" ]
	done

	run brig list --format table
	[[ ${lines[0]} == ID* ]]
}

@test "list of 70 containers (formatted on every core): each once, in order, right status" {
	long_running
	local i ids=()
	for i in $(seq -f %02g 1 70); do
		create_ctr "$CID-$i"
		ids+=("$CID-$i")
	done
	for i in $(seq -f %02g 1 10); do brig start "$CID-$i"; done
	for i in $(seq -f %02g 1 5); do brig kill "$CID-$i" KILL; done
	for i in $(seq -f %02g 1 5); do wait_status "$CID-$i" stopped; done
	brig pause "$CID-06"

	run brig list -f json
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[].id' <<<"$output")" = "$(printf '%s\n' "${ids[@]}")" ]
	[ "$(jq -r '[.[] | select(.status == "stopped" and .pid == 0)] | length' <<<"$output")" -eq 5 ]
	[ "$(jq -r '[.[] | select(.status == "paused")] | length' <<<"$output")" -eq 1 ]
	[ "$(jq -r '[.[] | select(.status == "running")] | length' <<<"$output")" -eq 4 ]
	[ "$(jq -r '[.[] | select(.status == "created")] | length' <<<"$output")" -eq 60 ]
	run brig list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 71 ]
	[ "$(tail -n +2 <<<"$output" | awk '{print $1}')" = "$(printf '%s\n' "${ids[@]}")" ]
	grep -E "^$CID-06 +[0-9]+ +paused " <<<"$output"
	for i in "${ids[@]}"; do brig delete -f "$i"; done
	run brig list -q
	[ -z "$output" ]
}

@test "list of an empty or missing root is empty" {
	run brig list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run brig list --format json
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 0 ] || [ "$output" = null ]
}

@test "a duplicate id is refused and the first container is untouched" {
	long_running
	create_ctr "$CID"
	local pid
	pid=$(state_field "$CID" pid)
	run --separate-stderr brig create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $stderr == *"$CID"* ]] || [[ $stderr == *exists* ]]
	[ "$(state_field "$CID" status)" = created ]
	[ "$(state_field "$CID" pid)" = "$pid" ]
	proc_alive "$pid"
	[ "$(brig list -q)" = "$CID" ]
}

@test "kill takes signal names and numbers" {
	long_running
	local sig i=0
	for sig in KILL SIGKILL 9; do
		i=$((i + 1))
		rm -f "$SHARED/up"
		run_detached "$CID-$i"
		wait_file "$SHARED/up"
		run brig kill "$CID-$i" "$sig"
		[ "$status" -eq 0 ]
		wait_status "$CID-$i" stopped
	done

	# The default is TERM, by name too; USR1 by number (10 on x86/arm).
	rm -f "$SHARED/up" "$SHARED/sig"
	run_detached "$CID-usr"
	wait_file "$SHARED/up"
	brig kill "$CID-usr" USR1
	wait_file "$SHARED/sig"
	brig kill "$CID-usr" SIGUSR1
	brig kill "$CID-usr" "$(kill -l USR1)"
	for _ in $(seq 100); do
		[ "$(wc -l <"$SHARED/sig")" -ge 3 ] && break
		sleep 0.05
	done
	[ "$(cat "$SHARED/sig")" = "$(printf 'USR1\nUSR1\nUSR1')" ]
	brig kill "$CID-usr"
	wait_status "$CID-usr" stopped
	[ "$(tail -1 "$SHARED/sig")" = TERM ]

	rm -f "$SHARED/up" "$SHARED/sig"
	run_detached "$CID-term"
	wait_file "$SHARED/up"
	brig kill "$CID-term" TERM
	wait_status "$CID-term" stopped
	[ "$(cat "$SHARED/sig")" = TERM ]
}

@test "kill of an unknown signal or a stopped container fails" {
	long_running
	run_detached "$CID"
	wait_file "$SHARED/up"
	run brig kill "$CID" NOSUCHSIG
	[ "$status" -ne 0 ]
	[ "$(state_field "$CID" status)" = running ]
	brig kill "$CID" KILL
	wait_status "$CID" stopped
	run brig kill "$CID" KILL
	[ "$status" -ne 0 ]
	# runc's words, which containerd's shim looks for
	[[ $output == *"container not running"* ]]
	# --all on a stopped container succeeds, as with runc (containerd's
	# `ctr task delete -f` sends it)
	run brig kill --all "$CID" KILL
	[ "$status" -eq 0 ]
}

@test "delete refuses a running container; delete --force kills it" {
	long_running
	run_detached "$CID"
	wait_file "$SHARED/up"
	local pid
	pid=$(state_field "$CID" pid)

	run brig delete "$CID"
	[ "$status" -ne 0 ]
	[ "$(state_field "$CID" status)" = running ]
	proc_alive "$pid"

	run brig delete --force "$CID"
	[ "$status" -eq 0 ]
	! proc_alive "$pid" || false
	run brig state "$CID"
	[ "$status" -ne 0 ]
	assert_nothing_left "$CID"

	rm -f "$SHARED/up"
	run_detached "$CID"
	wait_file "$SHARED/up"
	pid=$(state_field "$CID" pid)
	run brig delete -f "$CID"
	[ "$status" -eq 0 ]
	! proc_alive "$pid" || false
	assert_nothing_left "$CID"
}

@test "delete of a created container works with --force" {
	long_running
	create_ctr "$CID"
	local pid
	pid=$(state_field "$CID" pid)
	run brig delete -f "$CID"
	[ "$status" -eq 0 ]
	! proc_alive "$pid" || false
	[ ! -e "$SHARED/up" ]
	assert_nothing_left "$CID"
}

# brig reads its own state.json; a status it never writes (a hand edit, a
# newer brig) must not hide the container from list nor make it undeletable.
@test "a recorded status brig does not know: list shows it, delete -f removes it" {
	long_running
	create_ctr "$CID"
	local pid
	pid=$(state_field "$CID" pid)
	sed -i 's/"status": *"created"/"status": "bogus"/' "$ROOT/$CID/state.json"
	grep -q '"bogus"' "$ROOT/$CID/state.json"
	run brig list -q
	[ "$status" -eq 0 ]
	[ "$output" = "$CID" ]
	run brig state "$CID"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = created ]
	run brig delete -f "$CID"
	[ "$status" -eq 0 ]
	! proc_alive "$pid" || false
	assert_nothing_left "$CID"
}

@test "run --keep keeps the stopped container until delete" {
	run_sh 'exit 0'
	set_args sh -c 'echo kept; exit 4'
	run --separate-stderr brig run --keep --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 4 ]
	[ "$output" = kept ]
	[ "$(state_field "$CID" status)" = stopped ]
	[ "$(brig list -q)" = "$CID" ]
	run brig delete "$CID"
	[ "$status" -eq 0 ]
	assert_nothing_left "$CID"
}

@test "--version prints the version" {
	run "$BRIG" --version
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *version* ]]
	is_runc || [[ ${lines[0]} == brig* ]]
}

@test "a foreground run forwards signals to the container" {
	share_dir
	set_args sh -c 'trap "echo got-term >/shared/sig; exit 42" TERM; echo up >/shared/up; while :; do sleep 0.1; done'
	"$BRIG" --root "$ROOT" run --bundle "$BUNDLE" "$CID" &
	local runpid=$!
	wait_file "$SHARED/up"
	kill -TERM "$runpid"
	local rc=0
	wait "$runpid" || rc=$?
	# The container saw the signal and its exit code came back.
	[ "$(cat "$SHARED/sig")" = got-term ]
	[ "$rc" -eq 42 ]
	assert_nothing_left "$CID"
}
