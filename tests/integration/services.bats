#!/usr/bin/env bats
# Services: `spec --service` (Docker's default capabilities), `brig stop`,
# and `--restart` kept by the log monitor.  All of it is brig's own (runc
# has no stop, no --restart, no --service): skipped under BRIG=runc.

load helpers

setup() {
	is_runc && skip "brig's own commands"
	setup_bundle
}

teardown() {
	wait_monitors_gone
	teardown_bundle
}

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

restarts() { jq -r '.restartCount // 0' "$ROOT/$CID/state.json" 2>/dev/null; }

# wait_restarts N — until restartCount is at least N (~20 s)
wait_restarts() {
	local i
	for i in $(seq 400); do
		[ "$(restarts)" -ge "$1" ] 2>/dev/null && return 0
		sleep 0.05
	done
	echo "restartCount is $(restarts), expected at least $1" >&2
	return 1
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

# ---- --restart ----------------------------------------------------------------

@test "--restart: bad policies are refused with one line, nothing made" {
	for bad in sometimes on-failure:0 on-failure:x on-failure: always:2 ''; do
		run --separate-stderr brig run -d --bundle "$BUNDLE" --restart "$bad" "$CID"
		[ "$status" -ne 0 ]
		assert_error_line
	done
	run --separate-stderr brig run --bundle "$BUNDLE" --restart always "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"--restart needs --detach"* ]]
	[ ! -e "$ROOT/$CID" ]
}

@test "--restart on-failure:2: a failing process runs 3 times, then stays stopped (count 2)" {
	set_args sh -c 'echo run; exit 3'
	run_detached "$CID" --restart on-failure:2
	local mon
	mon=$(monitor_pid)
	[ -n "$mon" ]
	wait_restarts 2
	wait_monitor_exit "$mon"
	[ "$(state_field "$CID" status)" = stopped ]
	[ "$(brig state "$CID" | jq -r .restartCount)" = 2 ]
	[ "$(brig list --format json | jq -r '.[0].restartCount')" = 2 ]
	[ "$(jq -r .brig.exitCode "$ROOT/$CID/state.json")" = 3 ]
	[ "$(grep -c 'stdout F run$' "$ROOT/$CID/container.log")" = 3 ]
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "--restart on-failure: exit 0 is not a failure" {
	set_args true
	run_detached "$CID" --restart on-failure
	local mon
	mon=$(monitor_pid)
	wait_monitor_exit "$mon"
	[ "$(restarts)" = 0 ]
	[ "$(brig state "$CID" | jq -r '.restartCount // "none"')" = none ]
}

@test "--restart always: restarts after exit 0, in the same cgroup path; stop ends it for good" {
	set_args sh -c 'echo run; sleep 0.2'
	run_detached "$CID" --restart always
	local mon cg
	mon=$(monitor_pid)
	cg=$(jq -r .brig.cgroupPath "$ROOT/$CID/state.json")
	wait_restarts 2
	[ "$(jq -r .brig.cgroupPath "$ROOT/$CID/state.json")" = "$cg" ]
	run --separate-stderr brig stop -t 5 "$CID"
	echo "$stderr"
	[ "$status" -eq 0 ]
	wait_monitor_exit "$mon"
	local n
	n=$(restarts)
	sleep 1
	[ "$(restarts)" = "$n" ]
	[ "$(state_field "$CID" status)" = stopped ]
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "--restart always: stop during the restart delay cancels the restart" {
	# a run of 0.9 s keeps the delay short; find it between runs
	set_args sh -c 'sleep 0.3; exit 1'
	run_detached "$CID" --restart always
	local mon i
	mon=$(monitor_pid)
	for i in $(seq 200); do
		[ -e "$ROOT/$CID/restart.pending" ] && break
		sleep 0.02
	done
	run --separate-stderr brig stop "$CID"
	echo "$stderr"
	[ "$status" -eq 0 ]
	wait_monitor_exit "$mon"
	[ "$(state_field "$CID" status)" = stopped ]
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "--restart: delete --force during a restart delay leaves nothing" {
	set_args sh -c 'exit 1'
	run_detached "$CID" --restart always
	local mon i
	mon=$(monitor_pid)
	# after a few quick failures the delay is 0.8 s and more
	wait_restarts 3
	for i in $(seq 200); do
		[ -e "$ROOT/$CID/restart.pending" ] && break
		sleep 0.02
	done
	[ -e "$ROOT/$CID/restart.pending" ]
	brig delete --force "$CID"
	wait_monitor_exit "$mon"
	assert_nothing_left "$CID"
}

@test "create --restart with a relative bundle and pid file: start, then restarted from the same bundle" {
	set_args sh -c 'echo run; exit 2'
	cd "$TESTDIR"
	brig create --bundle bundle --pid-file ctr.pid --restart on-failure:1 "$CID" \
		</dev/null >"$TESTDIR/out" 2>&1
	local mon first
	mon=$(monitor_pid)
	[ "$(state_field "$CID" status)" = created ]
	first=$(cat ctr.pid)
	brig start "$CID"
	wait_restarts 1
	wait_monitor_exit "$mon"
	[ "$(state_field "$CID" bundle)" = "$BUNDLE" ]
	[ "$(cat ctr.pid)" != "$first" ]
	[ "$(grep -c 'stdout F run$' "$ROOT/$CID/container.log")" = 2 ]
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "--restart with --network: each restart goes through create's network steps; delete leaves no lease, veth or port rule" {
	[ -x /usr/lib/cni/bridge ] || skip "CNI plugins not installed (scripts/deps)"
	local br=brsvc$((RANDOM % 10000)) net=$((RANDOM % 200 + 20)) mon
	mkdir "$TESTDIR/net.d"
	cat >"$TESTDIR/net.d/svct.conflist" <<-JSON
		{"cniVersion": "1.0.0", "name": "svct", "plugins": [
		 {"type": "bridge", "bridge": "$br", "isGateway": true, "ipMasq": false,
		  "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.231.$net.0/24"}]],
		           "dataDir": "$TESTDIR/ipam"}},
		 {"type": "portmap", "capabilities": {"portMappings": true}}]}
	JSON
	set_args sh -c 'ip -4 addr show eth0 | grep -o "inet [0-9.]*"; exit 1'
	local rc=0
	brig --network-dir "$TESTDIR/net.d" run -d --bundle "$BUNDLE" --network svct \
		-p 127.0.0.1:$((20000 + net)):80 --restart on-failure:2 "$CID" </dev/null \
		>"$TESTDIR/out" 2>&1 || rc=$?
	cat "$TESTDIR/out"
	if [ $rc -eq 0 ]; then
		mon=$(monitor_pid)
		wait_restarts 2 && wait_monitor_exit "$mon" || rc=1
		cat "$ROOT/$CID/container.log"
		# three runs, three attachments (the leases of the first two given back)
		[ "$(grep -c 'stdout F inet 10.231.'"$net"'.' "$ROOT/$CID/container.log")" = 3 ] || rc=1
		[ "$(ls "$TESTDIR/ipam/svct" | grep -c '^10\.')" = 1 ] || rc=1
		brig --network-dir "$TESTDIR/net.d" delete "$CID" || rc=1
		[ -z "$(ls "$TESTDIR/ipam/svct" | grep '^10\.')" ] || rc=1
		[ -z "$(iptables-save 2>/dev/null | grep -- "--dport $((20000 + net))")" ] || rc=1
		[ -z "$(ip -o link show master "$br" 2>/dev/null)" ] || rc=1
	fi
	ip link del "$br" 2>/dev/null || true
	[ $rc -eq 0 ]
	assert_nothing_left "$CID"
}

# ---- start of a stopped service ---------------------------------------------

@test "start: a stopped service runs again with its log and pid file; a container run without a log monitor cannot be (runc's behaviour)" {
	set_args sh -c 'echo run $$; exit 3'
	run_detached "$CID" --log-path '' --pid-file "$TESTDIR/pid"
	local mon first
	mon=$(monitor_pid)
	wait_monitor_exit "$mon"
	[ "$(state_field "$CID" status)" = stopped ]
	[ "$(jq -r .brig.exitCode "$ROOT/$CID/state.json")" = 3 ]
	first=$(cat "$TESTDIR/pid")
	run --separate-stderr brig start "$CID"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	mon=$(monitor_pid)
	wait_monitor_exit "$mon"
	[ "$(state_field "$CID" status)" = stopped ]
	[ "$(jq -r .brig.exitCode "$ROOT/$CID/state.json")" = 3 ]
	[ "$(cat "$TESTDIR/pid")" != "$first" ]
	# the log goes on: both runs in it, and brig logs shows both
	[ "$(grep -c 'stdout F run ' "$ROOT/$CID/container.log")" = 2 ]
	[ "$(brig logs "$CID" | grep -c '^run ')" = 2 ]
	brig delete "$CID"
	assert_nothing_left "$CID"

	# without a log monitor: as runc, a stopped container stays stopped
	create_ctr "$CID-plain"
	brig start "$CID-plain"
	wait_status "$CID-plain" stopped
	run --separate-stderr brig start "$CID-plain"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"stopped, not created"* ]]
	brig delete "$CID-plain"
}

@test "start after stop: the service keeps its --restart policy; stop ends it again; start of a running one is refused" {
	set_args sh -c 'echo up; while :; do sleep 0.1; done'
	run_detached "$CID" --restart always --log-path "$TESTDIR/svc.log"
	local mon
	mon=$(monitor_pid)
	wait_status "$CID" running
	brig stop -t 1 "$CID"
	wait_monitor_exit "$mon"
	[ -e "$ROOT/$CID/stopped-by-user" ]
	brig start "$CID"
	wait_status "$CID" running
	[ ! -e "$ROOT/$CID/stopped-by-user" ]
	run --separate-stderr brig start "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	# the policy is the new monitor's: a killed process comes back
	mon=$(monitor_pid)
	brig kill "$CID" KILL
	wait_restarts 1
	wait_status "$CID" running
	brig stop -t 1 "$CID"
	wait_monitor_exit "$mon"
	sleep 0.5
	[ "$(state_field "$CID" status)" = stopped ]
	# the log went to the same file through both monitors
	[ "$(grep -c 'stdout F up$' "$TESTDIR/svc.log")" = 3 ]
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "start while the monitor waits to restart it: refused with one line; after stop, start works" {
	set_args sh -c 'exit 1'
	run_detached "$CID" --restart always
	local mon i
	mon=$(monitor_pid)
	wait_restarts 3
	for i in $(seq 200); do
		[ -e "$ROOT/$CID/restart.pending" ] && break
		sleep 0.02
	done
	run --separate-stderr brig start "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"about to restart"* ]]
	brig stop "$CID"
	wait_monitor_exit "$mon"
	set_args sh -c 'echo second; exit 0'
	update_config '.process.args = ["sh", "-c", "echo second"]'
	brig start "$CID"
	mon=$(monitor_pid)
	for i in $(seq 100); do
		grep -q 'stdout F second$' "$ROOT/$CID/container.log" && break
		sleep 0.05
	done
	grep -q 'stdout F second$' "$ROOT/$CID/container.log"
	# the count starts over, as docker start's
	brig stop "$CID" || true
	wait_monitor_exit "$mon"
	brig delete -f "$CID"
	assert_nothing_left "$CID"
}

@test "start: two at once run the service once; a failed start leaves it stopped with its log" {
	set_args sh -c 'echo run; sleep 2'
	run_detached "$CID" --log-path ''
	local mon
	mon=$(monitor_pid)
	brig kill "$CID" KILL
	wait_monitor_exit "$mon"
	local a b
	(r=0; brig start "$CID" 2>"$TESTDIR/a.err" || r=$?; echo $r >"$TESTDIR/a.rc") &
	a=$!
	(r=0; brig start "$CID" 2>"$TESTDIR/b.err" || r=$?; echo $r >"$TESTDIR/b.rc") &
	b=$!
	wait "$a" "$b"
	cat "$TESTDIR/a.err" "$TESTDIR/b.err"
	[ "$(cat "$TESTDIR/a.rc" "$TESTDIR/b.rc" | sort | tr '\n' ' ')" = "0 1 " ]
	[ "$(cat "$TESTDIR/a.err" "$TESTDIR/b.err" | wc -l)" = 1 ]
	[ "$(state_field "$CID" status)" = running ]
	mon=$(monitor_pid)
	brig kill "$CID" KILL
	wait_monitor_exit "$mon"
	[ "$(grep -c 'stdout F run$' "$ROOT/$CID/container.log")" = 2 ]
	# a bundle that no longer runs: one line, the container stays stopped
	mv "$BUNDLE/rootfs" "$BUNDLE/rootfs.away"
	run --separate-stderr brig start "$CID"
	mv "$BUNDLE/rootfs.away" "$BUNDLE/rootfs"
	[ "$status" -ne 0 ]
	assert_error_line
	[ "$(state_field "$CID" status)" = stopped ]
	[ "$(grep -c 'stdout F run$' "$ROOT/$CID/container.log")" = 2 ]
	[ -z "$(cgroups_named "$CID")" ]
	# and starts once the bundle is back
	brig start "$CID"
	wait_status "$CID" running
	brig delete -f "$CID"
	wait_monitor_exit "$(monitor_pid)" || true
	assert_nothing_left "$CID"
}
