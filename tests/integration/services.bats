#!/usr/bin/env bats
# Services: `spec --service` (Docker's default capabilities) and `brig
# stop`.  brig's own (runc has no stop, no --service): skipped under
# BRIG=runc.

load helpers

setup() {
	is_runc && skip "brig's own commands"
	setup_bundle
}

teardown() {
	wait_monitors_gone
	teardown_bundle
}

# the monitor's pid, from the state dir
monitor_pid() { sed -n 2p "$ROOT/${1:-$CID}/log.info" 2>/dev/null; }

# delete -f every container, then wait for their monitors to go (a monitor
# in a restart delay looks every 50 ms whether its directory is still there)
wait_monitors_gone() {
	local pids=() id pid i
	[ -d "${ROOT:-}" ] || return 0
	for id in $(ls "$ROOT" 2>/dev/null); do
		pid=$(monitor_pid "$id")
		[ -n "$pid" ] && pids+=("$pid")
		brig delete -f "$id" >/dev/null 2>&1 || true
	done
	for pid in "${pids[@]}"; do
		for i in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
	done
}

# ---- spec --service ---------------------------------------------------------

@test "spec --service: Docker's default capabilities; plain spec is unchanged" {
	local want='["CAP_AUDIT_WRITE","CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_MKNOD","CAP_NET_BIND_SERVICE","CAP_NET_RAW","CAP_SETFCAP","CAP_SETGID","CAP_SETPCAP","CAP_SETUID","CAP_SYS_CHROOT"]'
	mkdir "$TESTDIR/svc" "$TESTDIR/plain"
	"$BRIG" spec --service --bundle "$TESTDIR/svc"
	"$BRIG" spec --bundle "$TESTDIR/plain"
	for set in bounding effective permitted; do
		[ "$(jq -c ".process.capabilities.$set | sort" "$TESTDIR/svc/config.json")" = "$want" ]
		[ "$(jq -c ".process.capabilities.$set" "$TESTDIR/plain/config.json")" = \
			'["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]' ]
	done
	# nothing else differs
	diff <(jq 'del(.process.capabilities)' "$TESTDIR/plain/config.json") \
		<(jq 'del(.process.capabilities)' "$TESTDIR/svc/config.json")
}

@test "spec --service: root in the container can chown (Debian's nginx does), with plain spec it cannot" {
	local caps
	caps=$(cd "$TESTDIR" && mkdir s && "$BRIG" spec --service -b s && jq -c .process.capabilities s/config.json)
	set_args sh -c 'touch /tmp/f && chown 1000:1000 /tmp/f && stat -c %u:%g /tmp/f'
	update_config '.root.readonly = false'
	run brig run --bundle "$BUNDLE" "$CID-plain"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Operation not permitted"* ]]
	update_config --argjson c "$caps" '.process.capabilities = $c'
	run brig run --bundle "$BUNDLE" "$CID-svc"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 1000:1000 ]
}

# ---- stop ---------------------------------------------------------------------

@test "stop: a process that traps TERM exits within -t; the container stays, stopped" {
	set_args sh -c 'trap "echo bye; exit 0" TERM; echo up; while :; do sleep 0.1; done'
	run_detached "$CID" --log-path ''
	wait_file "$ROOT/$CID/container.log"
	local t0=$SECONDS
	run --separate-stderr brig stop -t 20 "$CID"
	[ "$status" -eq 0 ]
	[ $((SECONDS - t0)) -lt 10 ]
	[ "$(state_field "$CID" status)" = stopped ]
	# the monitor recorded the polite exit
	for i in $(seq 100); do
		[ "$(jq -r '.brig.exitCode // empty' "$ROOT/$CID/state.json")" = 0 ] && break
		sleep 0.05
	done
	[ "$(jq -r .brig.exitCode "$ROOT/$CID/state.json")" = 0 ]
	grep -q 'stdout F bye$' "$ROOT/$CID/container.log"
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "stop: a process that ignores TERM is killed after -t (create/start container)" {
	set_args sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	create_ctr "$CID"
	brig start "$CID"
	local t0=$SECONDS
	run --separate-stderr brig stop -t 2 "$CID"
	local took=$((SECONDS - t0))
	echo "took $took s"
	[ "$status" -eq 0 ]
	[ "$took" -ge 1 ] && [ "$took" -lt 15 ]
	[ "$(state_field "$CID" status)" = stopped ]
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "stop: a stopped container, an unknown one, a bad -t: one line, non-zero" {
	set_args true
	create_ctr "$CID"
	brig start "$CID"
	wait_status "$CID" stopped
	run --separate-stderr brig stop "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"not running"* ]]
	run --separate-stderr brig stop no-such-container
	[ "$status" -ne 0 ]
	assert_error_line
	for bad in x -1 1.5 ''; do
		run --separate-stderr brig stop -t "$bad" "$CID"
		[ "$status" -ne 0 ]
		assert_error_line
	done
	run --separate-stderr brig stop
	[ "$status" -ne 0 ]
	assert_error_line
	# and it is still there, stopped
	[ "$(state_field "$CID" status)" = stopped ]
}
