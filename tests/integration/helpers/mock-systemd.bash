# tests/integration/helpers/mock-systemd.bash — a private dbus-daemon with
# mock-systemd on it, for tests of the systemd cgroup driver.
#
#   load helpers/mock-systemd
#   setup()    { mock_systemd_start; }     # env MOCK_SYSTEMD_START=... first, if wanted
#   teardown() { mock_systemd_stop; }
#
# mock_systemd_start exports DBUS_SYSTEM_BUS_ADDRESS (brig, run as root,
# then talks to the mock and not to any real systemd) and sets
#   MOCK_SYSTEMD_DIR   its temp dir
#   MOCK_SYSTEMD_LOG   the JSON-lines log of the calls (mock_systemd_calls)
# mock_systemd_stop stops both daemons (the mock kills the processes of the
# units still there and removes their cgroups), removes every cgroup
# directory the mock made that is left and the temp dir.  Safe to call
# twice, or when start failed half way.
#
# A test names its units and slices itself (e.g. Slice=brigtest-$$.slice):
# what the mock makes goes under /sys/fs/cgroup/<hierarchy>/<slice path>/.

MOCK_SYSTEMD_BIN=${MOCK_SYSTEMD_BIN:-$(dirname "${BASH_SOURCE[0]}")/mock-systemd}

mock_systemd_start() {
	local i conf
	MOCK_SYSTEMD_DIR=$(mktemp -d /tmp/brig-mock-systemd.XXXXXX)
	MOCK_SYSTEMD_LOG=$MOCK_SYSTEMD_DIR/calls.jsonl
	conf=$MOCK_SYSTEMD_DIR/bus.conf
	cat >"$conf" <<-CONF
		<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
		 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
		<busconfig>
		  <type>custom</type>
		  <listen>unix:path=$MOCK_SYSTEMD_DIR/bus</listen>
		  <auth>EXTERNAL</auth>
		  <policy context="default">
		    <allow user="*"/>
		    <allow own="*"/>
		    <allow send_destination="*"/>
		    <allow receive_sender="*"/>
		  </policy>
		</busconfig>
	CONF
	dbus-daemon --config-file="$conf" --nofork --nopidfile --nosyslog \
		</dev/null >"$MOCK_SYSTEMD_DIR/dbus.out" 2>&1 &
	echo $! >"$MOCK_SYSTEMD_DIR/dbus.pid"
	for i in $(seq 100); do
		[ -S "$MOCK_SYSTEMD_DIR/bus" ] && break
		sleep 0.05
	done
	export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$MOCK_SYSTEMD_DIR/bus
	"$MOCK_SYSTEMD_BIN" --address "$DBUS_SYSTEM_BUS_ADDRESS" \
		--log "$MOCK_SYSTEMD_LOG" </dev/null >"$MOCK_SYSTEMD_DIR/mock.out" 2>&1 &
	echo $! >"$MOCK_SYSTEMD_DIR/mock.pid"
	for i in $(seq 200); do
		[ -e "$MOCK_SYSTEMD_LOG.ready" ] && return 0
		kill -0 "$(cat "$MOCK_SYSTEMD_DIR/mock.pid")" 2>/dev/null || break
		sleep 0.05
	done
	echo "mock-systemd did not start:" >&2
	cat "$MOCK_SYSTEMD_DIR/mock.out" "$MOCK_SYSTEMD_DIR/dbus.out" >&2
	mock_systemd_stop
	return 1
}

# Stop the process whose pid is in file: TERM, then KILL after 5 s.
_mock_systemd_kill() {
	local pid i
	[ -f "$1" ] || return 0
	pid=$(cat "$1")
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

mock_systemd_stop() {
	local d pid
	[ -n "${MOCK_SYSTEMD_DIR:-}" ] && [ -d "$MOCK_SYSTEMD_DIR" ] || return 0
	_mock_systemd_kill "$MOCK_SYSTEMD_DIR/mock.pid"
	_mock_systemd_kill "$MOCK_SYSTEMD_DIR/dbus.pid"
	# what the mock made and did not remove (it was killed, or a test
	# left processes in it): deepest first
	if [ -f "$MOCK_SYSTEMD_LOG.cgroups" ]; then
		tac "$MOCK_SYSTEMD_LOG.cgroups" | while read -r d; do
			[ -d "$d" ] || continue
			for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do
				kill -KILL "$pid" 2>/dev/null || true
			done
			rmdir "$d" 2>/dev/null || { sleep 0.2; rmdir "$d" 2>/dev/null || true; }
		done
	fi
	rm -rf "$MOCK_SYSTEMD_DIR"
	unset MOCK_SYSTEMD_DIR MOCK_SYSTEMD_LOG DBUS_SYSTEM_BUS_ADDRESS
}

# The logged calls of one method, as a JSON array (jq).
mock_systemd_calls() {
	jq -s --arg m "$1" '[.[] | select(.method == $m)]' "$MOCK_SYSTEMD_LOG"
}

# mock_systemd_settle ID — wait (up to 5 s) until no cgroup named after
# ID is left: a scope brig's delete left to systemd once it emptied is
# collected by the mock every 20 ms, later on a loaded machine.
mock_systemd_settle() {
	local i
	for i in $(seq 250); do
		[ -z "$(find /sys/fs/cgroup -maxdepth 8 -type d -name "*$1*" 2>/dev/null)" ] && return 0
		sleep 0.02
	done
	return 0
}

# sd_setup / sd_teardown — a bats file's setup and teardown for brig
# --systemd-cgroup against the mock: a bundle whose cgroupsPath is
# $SLICE.slice:brig:$CID (unit $UNIT), the mock started; at the end every
# container deleted, what brig left to the mock collected, the usual
# leftover checks (teardown_bundle, whose status is returned), the mock
# stopped and the slice's directories brig made removed.
sd_setup() {
	is_runc && skip "runc wants a host booted with systemd (tests/vm-systemd)"
	[ -d /sys/fs/cgroup/memory ] || skip "needs cgroup v1 controllers"
	command -v dbus-daemon >/dev/null || skip "needs dbus-daemon"
	setup_bundle
	SLICE=brigsd$RANDOM$RANDOM
	UNIT=brig-$CID.scope
	update_config --arg p "$SLICE.slice:brig:$CID" '.linux.cgroupsPath = $p'
	mock_systemd_start
}

sd_teardown() {
	local id rc
	if [ -n "${ROOT:-}" ] && [ -d "$ROOT" ]; then
		for id in $(timeout 10 "$BRIG" --root "$ROOT" list -q 2>/dev/null); do
			timeout 20 "$BRIG" --root "$ROOT" delete -f "$id" >/dev/null 2>&1
		done
	fi
	[ -z "${CID:-}" ] || mock_systemd_settle "$CID"
	teardown_bundle
	rc=$?
	mock_systemd_stop
	[ -z "${SLICE:-}" ] ||
		find /sys/fs/cgroup/*/"$SLICE.slice" -depth -type d -exec rmdir {} + 2>/dev/null || true
	return $rc
}
