#!/usr/bin/env bats
# brig --systemd-cgroup on this host, against mock-systemd (a stand-in for
# systemd's manager on a private bus, making cgroups as systemd does on a
# hybrid host): what brig asks systemd for, the files it writes itself,
# and that nothing is left, also when systemd refuses or brig is killed
# half way.  The real systemd, on pure v2, is tests/vm-systemd's.

load helpers
load helpers/mock-systemd

CG=/sys/fs/cgroup

setup() { sd_setup; }
teardown() { sd_teardown; }

# sd_detached — `brig --systemd-cgroup run -d` of $CID, stdio on files.
sd_detached() {
	brig --systemd-cgroup run -d --bundle "$BUNDLE" "$CID" \
		</dev/null >"$TESTDIR/$CID.out" 2>"$TESTDIR/$CID.err"
	local rc=$?
	[ $rc -eq 0 ] || cat "$TESTDIR/$CID.err" >&2
	return $rc
}

# calls METHOD — the mock's log lines for METHOD.
calls() { grep -F "\"method\": \"$1\"" "$MOCK_SYSTEMD_LOG" || true; }
# prop NAME — the value StartTransientUnit was given for property NAME.
prop() {
	calls StartTransientUnit | tail -1 |
		jq -c --arg n "$1" '.properties[] | select(.name == $n) | .value'
}
scope_dir() { echo "$CG/$1/$SLICE.slice/$UNIT"; }

@test "systemd: the container runs in a transient scope with its limits as properties and files" {
	update_config '.linux.resources = {memory: {limit: 67108864},
		cpu: {shares: 512, quota: 12345, period: 100000}, pids: {limit: 42}}'
	set_args sleep 100
	sd_detached
	pid=$(state_field "$CID" pid)
	[ "$(calls StartTransientUnit | jq -r .unit)" = "$UNIT" ]
	[ "$(prop Slice)" = "\"$SLICE.slice\"" ]
	[ "$(prop Delegate)" = true ]
	[ "$(prop PIDs)" = "[$pid]" ]
	[ "$(prop DefaultDependencies)" = false ]
	# v1 names on this hybrid host; the quota rounded to systemd's 1 %
	[ "$(prop MemoryLimit)" = 67108864 ]
	[ "$(prop TasksMax)" = 42 ]
	[ "$(prop CPUShares)" = 512 ]
	[ "$(prop CPUQuotaPerSecUSec)" = 130000 ]
	# and the files, the same values
	[ "$(cat "$(scope_dir memory)/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "$(scope_dir pids)/pids.max")" = 42 ]
	[ "$(cat "$(scope_dir cpu)/cpu.cfs_quota_us")" = 13000 ]
	# the init in the unit's cgroup everywhere, the ones systemd does
	# not manage (freezer, cpuset) made by brig
	grep -q "memory:/.*$SLICE.slice/$UNIT" /proc/$pid/cgroup
	grep -q "freezer:/$SLICE.slice/$UNIT" /proc/$pid/cgroup
	grep -q "cpuset:/$SLICE.slice/$UNIT" /proc/$pid/cgroup
}

@test "systemd: exec, pause, resume, ps, events --stats and kill --all on the scope" {
	set_args sleep 100
	sd_detached
	pid=$(state_field "$CID" pid)
	run brig exec "$CID" cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	[[ $output == *"pids:/$SLICE.slice/$UNIT"* ]] || [[ $output == *"pids:/"* ]]
	brig pause "$CID"
	[ "$(state_field "$CID" status)" = paused ]
	[ "$(cat "$(scope_dir freezer)/freezer.state")" = FROZEN ]
	brig resume "$CID"
	[ "$(state_field "$CID" status)" = running ]
	run brig ps "$CID"
	[[ $output == *sleep* ]]
	run brig events --stats "$CID"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.data.pids.current >= 1'
	brig kill --all "$CID" KILL
	wait_status "$CID" stopped
}

@test "systemd: delete of an ended container leaves nothing and does not wait on systemd" {
	set_args sleep 100
	sd_detached
	brig kill "$CID" KILL
	wait_status "$CID" stopped
	brig delete "$CID"
	# the scope is empty: systemd stops and collects it by itself
	# (CollectMode=inactive-or-failed), nothing to ask
	[ -z "$(calls StopUnit)" ]
	[ "$(prop CollectMode)" = '"inactive-or-failed"' ]
	sleep 0.2 # the mock collects every 20 ms
	calls collected | grep -q "$UNIT"
	mock_systemd_settle "$CID"
	assert_nothing_left "$CID"
	[ -z "$(find $CG/*/"$SLICE.slice" -mindepth 1 -type d 2>/dev/null | grep -v '/systemd/')" ]
}

@test "systemd: delete --force of a running container: the unit stopped or collected, nothing left" {
	set_args sleep 100
	sd_detached
	brig delete --force "$CID"
	# killed, the scope is empty: systemd collects it (the mock in 20 ms)
	# unless brig found it still holding a dying process and stopped it
	sleep 0.2
	calls StopUnit | grep -q "$UNIT" || calls collected | grep -q "$UNIT"
	mock_systemd_settle "$CID"
	assert_nothing_left "$CID"
	[ -z "$(find $CG/*/"$SLICE.slice" -mindepth 1 -type d 2>/dev/null | grep -v '/systemd/')" ]
}

@test "systemd: update sets the properties and the files" {
	set_args sleep 100
	sd_detached
	brig update --memory 100000000 --pids-limit 77 --cpu-quota 50000 "$CID"
	set_call=$(calls SetUnitProperties | tail -1)
	[ "$(echo "$set_call" | jq -r .unit)" = "$UNIT" ]
	echo "$set_call" | jq -e '.properties[] | select(.name == "MemoryLimit") | .value == 100000000'
	echo "$set_call" | jq -e '.properties[] | select(.name == "TasksMax") | .value == 77'
	echo "$set_call" | jq -e '.properties[] | select(.name == "CPUQuotaPerSecUSec") | .value == 500000'
	[ "$(cat "$(scope_dir memory)/memory.limit_in_bytes")" = 99999744 ] ||
		[ "$(cat "$(scope_dir memory)/memory.limit_in_bytes")" = 100000000 ]
	[ "$(cat "$(scope_dir pids)/pids.max")" = 77 ]
	# a value the kernel refuses: nothing changes, systemd not asked
	n=$(calls SetUnitProperties | wc -l)
	run --separate-stderr brig update --cpuset-cpus 9999 "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[ "$(calls SetUnitProperties | wc -l)" -eq "$n" ]
	[ "$(cat "$(scope_dir pids)/pids.max")" = 77 ]
}

@test "systemd: annotations org.systemd.property.* become properties" {
	update_config '.annotations = {"org.systemd.property.TimeoutStopUSec": "uint64 123000000",
		"org.systemd.property.CollectMode": "'"'inactive-or-failed'"'",
		"org.systemd.property.RuntimeMaxSec": "30",
		"org.other": "x"}'
	brig --systemd-cgroup run --bundle "$BUNDLE" "$CID" >/dev/null
	[ "$(prop TimeoutStopUSec)" = 123000000 ]
	[ "$(prop CollectMode)" = '"inactive-or-failed"' ]
	[ "$(prop RuntimeMaxUSec)" = 30000000 ]
	[ -z "$(prop other)" ]
}

@test "systemd: bad cgroupsPath, annotation or no systemd: one line, nothing made" {
	for p in a:b a:b:c:d x.service:p:n a--b.slice:p:n "$SLICE.slice:p:../../x"; do
		update_config --arg p "$p" '.linux.cgroupsPath = $p'
		run --separate-stderr brig --systemd-cgroup run --bundle "$BUNDLE" "$CID"
		[ "$status" -ne 0 ]
		assert_error_line
		[[ $stderr == *linux.cgroupsPath* ]]
	done
	update_config --arg p "$SLICE.slice:brig:$CID" '.linux.cgroupsPath = $p |
		.annotations = {"org.systemd.property.TimeoutStopSec": "'"'soon'"'"}'
	run --separate-stderr brig --systemd-cgroup run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *annotations.org.systemd.property.TimeoutStopSec* ]]
	[ -z "$(calls StartTransientUnit)" ]
	update_config 'del(.annotations)'
	DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TESTDIR/nobus run --separate-stderr \
		brig --systemd-cgroup run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *systemd* ]]
	mock_systemd_settle "$CID"
	assert_nothing_left "$CID"
	# a systemd path without --systemd-cgroup: said so
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $stderr == *--systemd-cgroup* ]]
	mock_systemd_settle "$CID"
	assert_nothing_left "$CID"
}

@test "systemd: systemd refusing the unit, or its job failing: one line, nothing left" {
	set_args sleep 100
	for mode in error failed; do
		mock_systemd_stop
		MOCK_SYSTEMD_START=$mode mock_systemd_start
		run --separate-stderr brig --systemd-cgroup run -d --bundle "$BUNDLE" "$CID"
		[ "$status" -ne 0 ]
		assert_error_line
		[[ $stderr == *"$UNIT"* ]]
		mock_systemd_settle "$CID"
		assert_nothing_left "$CID"
	done
	calls ResetFailedUnit | grep -q "$UNIT"
}

@test "systemd: JobRemoved before the reply is not missed" {
	mock_systemd_stop
	MOCK_SYSTEMD_JOB_ORDER=before mock_systemd_start
	run brig --systemd-cgroup run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	mock_systemd_settle "$CID"
	assert_nothing_left "$CID"
}

@test "systemd: brig killed at each step of create, then delete --force: no unit, no cgroup" {
	set_args sleep 100
	for point in statedir cgroup clone ready; do
		# stdio on files: the init left behind must not hold bats' pipes
		rc=0
		BRIG_FAULT=$point brig --systemd-cgroup create --bundle "$BUNDLE" "$CID" \
			</dev/null >"$TESTDIR/fault.out" 2>&1 || rc=$?
		[ "$rc" -ne 0 ]
		brig delete --force "$CID" >/dev/null 2>&1 || true
		mock_systemd_settle "$CID"
		assert_nothing_left "$CID"
		[ ! -e "$(scope_dir pids)" ]
	done
	# the unit was made (from "clone" on); its init is gone with brig,
	# so systemd collects it (the real one: tests/vm-systemd)
	calls StartTransientUnit | grep -q "$UNIT"
}

@test "systemd: a cgroup namespace is rooted at the scope (made after the move)" {
	# brig spec's config has a cgroup namespace
	update_config '.linux.resources = {pids: {limit: 42}}'
	jq -e '.linux.namespaces | any(.type == "cgroup")' "$BUNDLE/config.json" >/dev/null
	run_sh_sd() {
		set_args sh -c "$1"
		run --separate-stderr brig --systemd-cgroup run --bundle "$BUNDLE" "$CID"
	}
	run_sh_sd 'cat /proc/self/cgroup; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'
	echo "$output"
	[ "$status" -eq 0 ]
	# every hierarchy's path is the namespace's root
	[ -z "$(echo "$output" | grep '^[0-9]*:' | grep -v ':/$')" ]
	[[ $output == *42* ]]
}

@test "systemd attack: the init holds no connection to systemd while it sets up (a ptrace of it would act as root towards systemd)" {
	# a createRuntime hook sees the init waiting in its set-up: its
	# descriptors then are the channel to brig and nothing else of the host
	cat >"$TESTDIR/hook" <<-'HOOK'
		#!/bin/sh
		pid=$(jq -r .pid)
		ls -l /proc/$pid/fd | grep -c 'socket:' >"$(dirname "$0")/sockets"
	HOOK
	chmod +x "$TESTDIR/hook"
	update_config --arg h "$TESTDIR/hook" '.hooks.createRuntime = [{path: $h}]'
	brig --systemd-cgroup run --bundle "$BUNDLE" "$CID" >/dev/null
	[ "$(cat "$TESTDIR/sockets")" = 1 ]
}
