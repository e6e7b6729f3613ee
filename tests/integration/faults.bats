#!/usr/bin/env bats
# Faults (issue 8): brig SIGKILLed at each step of create (BRIG_FAULT, see
# runtime/fault.c), an init that dies during set-up, a pids limit of 1.
# After each, delete --force (or the failed command itself) leaves no
# cgroup, mount, process or state directory.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

FAULT_STEPS="statedir cgroup clone hook ready"

@test "brig killed at each step of create: delete --force leaves nothing" {
	is_runc && skip "BRIG_FAULT is brig's"
	set_args sleep 100
	update_config '.hooks.createRuntime = [{path: "/bin/true"}]'
	local step id pid rc
	for step in $FAULT_STEPS; do
		id=$CID-$step
		rc=0
		BRIG_FAULT=$step brig create --bundle "$BUNDLE" "$id" \
			</dev/null >"$TESTDIR/$id.out" 2>"$TESTDIR/$id.err" || rc=$?
		echo "# $step: create status $rc" >&2
		[ "$rc" -eq 137 ] # killed by SIGKILL, at the fault point
		[ -d "$ROOT/$id" ]
		pid=0
		if [ "$step" != statedir ]; then
			# what create had recorded when it was killed
			jq -e '.status == "creating"' "$ROOT/$id/state.json"
			[ -n "$(cgroups_named "$id")" ]
			pid=$(jq -r '.pid // 0' "$ROOT/$id/state.json")
		fi
		case $step in clone | hook | ready) [ "$pid" -gt 0 ] ;; esac
		brig delete --force "$id"
		[ ! -e "$ROOT/$id" ]
		if [ "$pid" -gt 0 ]; then
			! proc_alive "$pid"
		fi
		assert_nothing_left "$id"
	done
}

@test "delete --force of a state directory without state.json removes it" {
	mkdir -p "$ROOT/$CID"
	brig delete --force "$CID"
	[ ! -e "$ROOT/$CID" ]
}

@test "an init killed during set-up: create fails with a clear error, nothing left" {
	# a createRuntime hook (host side, mid-create) SIGKILLs the init
	update_config '.hooks.createRuntime = [{path: "/bin/sh",
		args: ["sh", "-c", "kill -9 $(jq -r .pid)"]}]'
	run --separate-stderr brig create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"init"* ]]
	run brig state "$CID"
	[ "$status" -ne 0 ]
	assert_nothing_left "$CID"
}

@test "pids limit 1: the init fits, a fork inside fails, run cleans up" {
	update_config '.linux.resources.pids.limit = 1'
	run_sh 'echo started; /bin/true && echo forked'
	# the shell (the init) ran; its fork failed and busybox sh gave up
	[ "$output" = started ]
	[[ $stderr == *"can't fork"* ]]
	[ "$status" -ne 0 ]
	assert_nothing_left "$CID"
}
