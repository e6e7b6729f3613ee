#!/usr/bin/env bats
# Attacks on brig's systemd cgroup driver (issue 20's attacker review),
# against mock-systemd as systemd-driver.bats does.

load helpers
load helpers/mock-systemd

CG=/sys/fs/cgroup

setup() { sd_setup; }

teardown() {
	[ -n "${ROOT2:-}" ] && timeout 20 "$BRIG" --root "$ROOT2" delete -f "$CID" >/dev/null 2>&1
	sd_teardown
}

calls() { grep -F "\"method\": \"$1\"" "$MOCK_SYSTEMD_LOG" || true; }

@test "systemd attack: a create whose unit exists already (another root's container) does not stop it" {
	set_args sleep 100
	ROOT2=$TESTDIR/root2
	timeout 20 "$BRIG" --root "$ROOT2" --systemd-cgroup run -d --bundle "$BUNDLE" "$CID" \
		</dev/null >"$TESTDIR/a.out" 2>&1
	pid=$(timeout 20 "$BRIG" --root "$ROOT2" state "$CID" | jq -r .pid)
	run --separate-stderr brig --systemd-cgroup run -d --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	# the other container's unit and process are untouched
	[ -z "$(calls StopUnit)" ]
	kill -0 "$pid"
	[ ! -e "$ROOT/$CID" ]
}

@test "systemd attack: a create whose unit name is taken in another slice fails without stopping that unit" {
	set_args sleep 100
	ROOT2=$TESTDIR/root2
	timeout 20 "$BRIG" --root "$ROOT2" --systemd-cgroup run -d --bundle "$BUNDLE" "$CID" \
		</dev/null >"$TESTDIR/a.out" 2>&1
	pid=$(timeout 20 "$BRIG" --root "$ROOT2" state "$CID" | jq -r .pid)
	# the same unit name, brig-$CID.scope, under another slice: the
	# cgroup brig probes is not the unit's
	update_config --arg p "${SLICE}b.slice:brig:$CID" '.linux.cgroupsPath = $p'
	run --separate-stderr brig --systemd-cgroup run -d --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *UnitExists* ]]
	[ -z "$(calls StopUnit)" ]
	kill -0 "$pid"
	[ ! -e "$ROOT/$CID" ]
	find $CG/*/"${SLICE}b.slice" -depth -type d -exec rmdir {} + 2>/dev/null || true
}

@test "systemd attack: a cgroupfs cgroupsPath cannot smuggle ;systemd= or ;<hierarchy>= into the state (delete would stop that unit)" {
	set_args sleep 100
	for p in "/$CID;systemd=$SLICE.slice" "/$CID;pids=/$SLICE-victim" "/$CID;+memory"; do
		update_config --arg p "$p" '.linux.cgroupsPath = $p'
		run --separate-stderr brig run -d --bundle "$BUNDLE" "$CID"
		if [ "$status" -eq 0 ]; then
			brig delete --force "$CID" || true
		fi
		[ -z "$(calls StopUnit)" ]
		[ "$status" -ne 0 ]
		assert_error_line
		[[ $stderr == *linux.cgroupsPath* ]]
		mock_systemd_settle "$CID"
		assert_nothing_left "$CID"
	done
}

@test "systemd attack: no brig process left holds a connection to systemd (the log monitor, the waiting init)" {
	set_args sleep 100
	brig --systemd-cgroup run -d --log-path "$TESTDIR/c.log" --bundle "$BUNDLE" "$CID" \
		</dev/null >"$TESTDIR/o" 2>&1
	pid=$(state_field "$CID" pid)
	# no process but the bus daemon and the mock has a socket whose
	# peer is the bus daemon's
	busd=$(cat "$MOCK_SYSTEMD_DIR/dbus.pid")
	mock=$(cat "$MOCK_SYSTEMD_DIR/mock.pid")
	[ -n "$pid" ] && kill -0 "$pid"
	for p in $(ls /proc | grep -E '^[0-9]+$'); do
		[ "$p" = "$busd" ] || [ "$p" = "$mock" ] && continue
		for fd in /proc/$p/fd/*; do
			l=$(readlink "$fd" 2>/dev/null) || continue
			[[ $l == socket:* ]] || continue
			ino=${l#socket:[}; ino=${ino%]}
			# a unix socket whose peer is the bus daemon's
			if ss -xp 2>/dev/null | grep -F " $ino " | grep -q "pid=$busd,"; then
				echo "process $p ($(cat /proc/$p/cmdline | tr '\0' ' ')) holds $l to the bus" >&2
				false
			fi
		done
	done
}

@test "systemd attack: the unit stopped behind brig's back: delete, update, kill --all, delete twice concurrently: one line or success, nothing left" {
	set_args sleep 100
	sd_run() { brig --systemd-cgroup run -d --bundle "$BUNDLE" "$CID" </dev/null >"$TESTDIR/o" 2>&1; }
	sd_run
	dbus-send --bus="$DBUS_SYSTEM_BUS_ADDRESS" --print-reply --dest=org.freedesktop.systemd1 \
		/org/freedesktop/systemd1 org.freedesktop.systemd1.Manager.StopUnit \
		string:"$UNIT" string:replace >/dev/null
	wait_status "$CID" stopped
	run --separate-stderr brig update --pids-limit 10 "$CID"
	[ "$status" -ne 0 ] && assert_error_line
	brig delete "$CID"
	mock_systemd_settle "$CID"
	assert_nothing_left "$CID"
	# two deletes at once of a running container
	sd_run
	brig delete --force "$CID" & d1=$!
	brig delete --force "$CID" & d2=$!
	wait $d1 || true
	wait $d2 || true
	mock_systemd_settle "$CID"
	assert_nothing_left "$CID"
	[ ! -e "$CG/pids/$SLICE.slice/$UNIT" ]
}

@test "systemd attack: a slice name of 20000 characters (10000 nested slices): one line, at once" {
	s=$(printf 'a-%.0s' $(seq 10000))
	update_config --arg p "${s}a.slice:brig:$CID" '.linux.cgroupsPath = $p'
	SECONDS=0
	BRIG_TIMEOUT=20 run --separate-stderr brig --systemd-cgroup run --bundle "$BUNDLE" "$CID"
	echo "status $status after $SECONDS s" >&2
	[ "$status" -ne 0 ] && [ "$status" -ne 124 ]
	[ "$SECONDS" -lt 5 ]
	assert_error_line
	[[ $stderr == *linux.cgroupsPath* ]]
	mock_systemd_settle "$CID"
	assert_nothing_left "$CID"
}

@test "systemd attack: update --cpu-quota alone keeps the container's period in CPUQuotaPerSecUSec (a reload would not double the quota)" {
	update_config '.linux.resources = {cpu: {quota: 100000, period: 200000}}'
	set_args sleep 100
	brig --systemd-cgroup run -d --bundle "$BUNDLE" "$CID" </dev/null >"$TESTDIR/o" 2>&1
	brig update --cpu-quota 100000 "$CID"
	[ "$(cat $CG/cpu/$SLICE.slice/$UNIT/cpu.cfs_period_us)" = 200000 ]
	[ "$(cat $CG/cpu/$SLICE.slice/$UNIT/cpu.cfs_quota_us)" = 100000 ]
	# 100000 us every 200000 us: 500000 us a second, not 1000000
	calls SetUnitProperties | tail -1 |
		jq -e '.properties[] | select(.name == "CPUQuotaPerSecUSec") | .value == 500000'
}

@test "systemd attack: update --cpu-period alone keeps the quota in CPUQuotaPerSecUSec (systemd would drop the limit at once)" {
	update_config '.linux.resources = {cpu: {quota: 50000, period: 100000}}'
	set_args sleep 100
	brig --systemd-cgroup run -d --bundle "$BUNDLE" "$CID" </dev/null >"$TESTDIR/o" 2>&1
	brig update --cpu-period 200000 "$CID"
	[ "$(cat $CG/cpu/$SLICE.slice/$UNIT/cpu.cfs_period_us)" = 200000 ]
	[ "$(cat $CG/cpu/$SLICE.slice/$UNIT/cpu.cfs_quota_us)" = 50000 ]
	# 50000 us every 200000 us: 250000 us a second, not infinity
	calls SetUnitProperties | tail -1 |
		jq -e '.properties[] | select(.name == "CPUQuotaPerSecUSec") | .value == 250000'
}

@test "systemd attack: a device deny list on v1 is strict to systemd (no \"auto\", which a reload turns into devices.allow a) and holds in the files" {
	update_config '.linux.resources.devices = [{allow: false, type: "c", major: 1, minor: 1, access: "rwm"}]'
	set_args sh -c 'echo ok >/dev/null && head -c1 /dev/zero >/dev/null && echo fine'
	run --separate-stderr brig --systemd-cgroup run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $output == *fine* ]]
	policy=$(calls StartTransientUnit | tail -1 | jq -r '.properties[] | select(.name == "DevicePolicy") | .value')
	[ "$policy" = strict ]
	calls StartTransientUnit | tail -1 | jq -e '[.properties[] | select(.name == "DeviceAllow") | .value[][0]] | index("/dev/char/1:1") == null'
}
