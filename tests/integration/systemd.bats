#!/usr/bin/env bats
# The systemd cgroup driver (issue 20) against a mock systemd on a private
# bus (helpers/mock-systemd; mock_systemd_start/stop in
# helpers/mock-systemd.bash).  So far: brig's D-Bus client alone, driven by
# sdbus-probe (tests/integration/sdbus-probe.c); brig's --systemd-cgroup
# tests come next to these, against the same mock.
#
# Each test names its own slice ($SLICE, one level: no dash), so all the
# mock makes is /sys/fs/cgroup/<hierarchy>/$SLICE/...; teardown checks
# that none of it is left.

load helpers
load helpers/mock-systemd

CG=/sys/fs/cgroup

setup() {
	[ "$(id -u)" = 0 ] || skip "the mock makes cgroups: needs root"
	command -v dbus-daemon >/dev/null || skip "needs dbus-daemon (scripts/deps test)"
	PROBE=$BRIG_BUILD_DIR/tests/integration/sdbus-probe
	[ -x "$PROBE" ] || skip "sdbus-probe is not built in $BRIG_BUILD_DIR"
	SLICE=brigsd$$x$BATS_TEST_NUMBER.slice
	UNIT=brigsd-$$-$BATS_TEST_NUMBER.scope
	export SDBUS_PROBE_TIMEOUT_MS=5000
}

teardown() {
	mock_systemd_stop
	local left
	left=$(find $CG -maxdepth 3 -name "$SLICE" 2>/dev/null)
	[ -z "$left" ] || { echo "left behind: $left" >&2; return 1; }
}

# The dirs of the unit's cgroup the mock should have made, one per line.
unit_dirs() {
	local h
	for h in memory pids unified; do
		[ -d $CG/$h ] && echo "$CG/$h/$SLICE/$UNIT"
	done
}

@test "systemd: StartTransientUnit, SetUnitProperties, GetUnit, StopUnit through the mock" {
	mock_systemd_start
	run -0 "$PROBE" run "$SLICE" "$UNIT" 2
	[ "${lines[0]}" = "version 252" ]
	[[ "${lines[1]}" == "start /org/freedesktop/systemd1/job/"*" done" ]]
	[[ "${lines[2]}" == "unit /org/freedesktop/systemd1/unit/brigsd"* ]]
	[[ "${lines[3]}" == "stop /org/freedesktop/systemd1/job/"*" done" ]]
	[ "${#lines[@]}" = 7 ]
	# every property, as libdbus decoded it in the mock
	run -0 jq -c '.[0] | .unit, .mode, .aux, (.properties | map({(.name): [.sig, .value]}) | add)' \
		<<<"$(mock_systemd_calls StartTransientUnit)"
	[ "${lines[0]}" = "\"$UNIT\"" ]
	[ "${lines[1]}" = '"fail"' ]
	[ "${lines[2]}" = 0 ]
	run -0 jq -c '.Slice, .Delegate, .MemoryMax, .AllowedCPUs, .DeviceAllow, .PIDs | .[0]' <<<"${lines[3]}"
	[ "${lines[*]}" = '"s" "b" "t" "ay" "a(ss)" "au"' ]
	run -0 jq -c '.[0] | .properties[] | select(.name == "DeviceAllow" or .name == "MemoryMax") | .value' \
		<<<"$(mock_systemd_calls StartTransientUnit)"
	[ "${lines[0]}" = 67108864 ]
	[ "${lines[1]}" = '[["/dev/null","rwm"],["char-pts","rw"]]' ]
	run -0 jq -c '.[0] | .runtime, .properties' <<<"$(mock_systemd_calls SetUnitProperties)"
	[ "${lines[0]}" = true ]
	[ "${lines[1]}" = '[{"name":"MemoryMax","sig":"t","value":33554432}]' ]
	[ "$(mock_systemd_calls StopUnit | jq length)" = 2 ]
	# a system bus: subscribed
	[ "$(mock_systemd_calls Subscribe | jq length)" = 1 ]
}

@test "systemd: the scope's cgroups hold its process until StopUnit" {
	local pid d
	mock_systemd_start
	run -0 "$PROBE" start "$SLICE" "$UNIT"
	pid=${lines[0]#pid }
	[[ "${lines[1]}" == "start "*" done" ]]
	[ -n "$(unit_dirs)" ]
	for d in $(unit_dirs); do
		grep -qx "$pid" "$d/cgroup.procs"
	done
	run -0 "$PROBE" stop "$UNIT"
	for d in $(unit_dirs); do
		[ ! -d "$d" ]
	done
	# killed (a zombie until init reaps it)
	[ ! -e /proc/$pid ] || [ "$(awk '{print $3}' /proc/$pid/stat)" = Z ]
}

@test "systemd: StopUnit of a unit systemd does not know is NOT_FOUND" {
	mock_systemd_start
	run -3 "$PROBE" stop "$UNIT"
	[ "$output" = "sdbus-probe: org.freedesktop.systemd1.NoSuchUnit: Unit $UNIT not loaded." ]
	run -3 "$PROBE" reset "$UNIT"
}

@test "systemd: a refused StartTransientUnit is one error line" {
	MOCK_SYSTEMD_START=error mock_systemd_start
	run -1 "$PROBE" start "$SLICE" "$UNIT"
	[ "${lines[1]}" = "sdbus-probe: org.freedesktop.DBus.Error.InvalidArgs: mock-systemd refuses $UNIT" ]
	[ -z "$(find $CG -maxdepth 2 -name "$SLICE")" ]
}

@test "systemd: a job that fails is reported with systemd's word" {
	MOCK_SYSTEMD_START=failed mock_systemd_start
	run -1 "$PROBE" start "$SLICE" "$UNIT"
	[[ "${lines[1]}" == "start "*" failed" ]]
	[ "${lines[2]}" = "sdbus-probe: job failed" ]
	run -0 "$PROBE" reset "$UNIT"
}

@test "systemd: JobRemoved before the reply is not missed" {
	MOCK_SYSTEMD_JOB_ORDER=before mock_systemd_start
	run -0 "$PROBE" run "$SLICE" "$UNIT" 3
	[ "${#lines[@]}" = 10 ]
}

@test "systemd: a systemd that never answers costs the timeout, not a hang" {
	MOCK_SYSTEMD_START=hang mock_systemd_start
	SECONDS=0
	SDBUS_PROBE_TIMEOUT_MS=500 run -1 "$PROBE" start "$SLICE" "$UNIT"
	[ "$SECONDS" -lt 5 ]
	[ "${lines[1]}" = "sdbus-probe: StartTransientUnit: D-Bus: no answer from systemd: connection timed out" ]
}

@test "systemd: no bus at DBUS_SYSTEM_BUS_ADDRESS is one error line" {
	DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/brig-bus run -1 "$PROBE" stop "$UNIT"
	[ "$output" = "sdbus-probe: D-Bus: connect /nonexistent/brig-bus: no such file or directory" ]
	DBUS_SYSTEM_BUS_ADDRESS=tcp:host=localhost,port=1 run -1 "$PROBE" stop "$UNIT"
	[ "$output" = "sdbus-probe: D-Bus: \$DBUS_SYSTEM_BUS_ADDRESS names no unix:path= address" ]
}
