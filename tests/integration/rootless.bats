#!/usr/bin/env bats
# Rootless: a non-root user (made here, removed in teardown) runs brig on
# their own bundle. A user namespace maps them to root inside; no cgroup on
# a cgroup v1/hybrid host (or an undelegated v2 tree); state under their
# $XDG_RUNTIME_DIR/brig (or /tmp/brig-<uid> without it).

load helpers

setup() {
	command -v useradd >/dev/null && command -v runuser >/dev/null ||
		skip "needs useradd and runuser"
	setup_bundle
	RL_USER=brigrl$RANDOM$RANDOM
	useradd -M -U -s /bin/sh "$RL_USER"
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	RL_XDG=/run/user/$RL_UID
	mkdir -p "$RL_XDG"
	chown "$RL_UID:$RL_GID" "$RL_XDG"
	chmod 700 "$RL_XDG"
	# The state root brig picks by itself; teardown_bundle cleans it.
	ROOT=$RL_XDG/brig
	chown -R "$RL_UID:$RL_GID" "$BUNDLE"
	rm -f "$BUNDLE/config.json"
	export RL_USER RL_UID RL_GID RL_XDG ROOT
	as_user test -x "$BRIG" || skip "$BRIG is not reachable by an unprivileged user"
	as_user unshare -U true 2>/dev/null || skip "unprivileged user namespaces are disabled"
	as_user_xdg "$BRIG" spec --rootless --bundle "$BUNDLE"
	update_config '.process.terminal = false | .process.args = ["true"]'
}

teardown() {
	local id
	if [ -n "${RL_USER:-}" ]; then
		# The user's own cleanup first: delete must work without root.
		for id in $(as_user_xdg "$BRIG" list -q 2>/dev/null); do
			as_user_xdg "$BRIG" delete -f "$id" >/dev/null 2>&1 || true
		done
	fi
	teardown_bundle
	if [ -n "${RL_USER:-}" ]; then
		rm -rf "$RL_XDG" "/tmp/brig-$RL_UID"
		userdel "$RL_USER" 2>/dev/null || true
	fi
}

# as_user CMD... — run as the test user, in the bundle, no XDG_RUNTIME_DIR.
as_user() {
	(cd "$BUNDLE" && timeout -k 5 "$BRIG_TIMEOUT" runuser -u "$RL_USER" -- \
		env -u XDG_RUNTIME_DIR "$@")
}
# as_user_xdg CMD... — the same with XDG_RUNTIME_DIR=/run/user/<uid>.
as_user_xdg() {
	(cd "$BUNDLE" && timeout -k 5 "$BRIG_TIMEOUT" runuser -u "$RL_USER" -- \
		env XDG_RUNTIME_DIR="$RL_XDG" "$@")
}

@test "rootless: spec --rootless maps the user to root in a user namespace" {
	# What spec --rootless wrote: one id each, the caller's.
	[ "$(jq -c '.linux.uidMappings' "$BUNDLE/config.json")" = "[{\"containerID\":0,\"hostID\":$RL_UID,\"size\":1}]" ]
	[ "$(jq -c '.linux.gidMappings' "$BUNDLE/config.json")" = "[{\"containerID\":0,\"hostID\":$RL_GID,\"size\":1}]" ]
	update_config '.hostname = "rootless-box"'
	set_args sh -c 'id -u; id -g; cat /proc/self/uid_map; cat /proc/self/gid_map;
		cat /proc/self/setgroups; hostname; grep -c " /sys " /proc/self/mountinfo'
	run --separate-stderr as_user_xdg "$BRIG" run "$CID"
	echo "# status=$status stdout: $output stderr: $stderr" >&2
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[ "$(echo "${lines[2]}" | awk '{print $1, $2, $3}')" = "0 $RL_UID 1" ]
	[ "$(echo "${lines[3]}" | awk '{print $1, $2, $3}')" = "0 $RL_GID 1" ]
	[ "${lines[4]}" = deny ]
	[ "${lines[5]}" = rootless-box ]
	[ "${lines[6]}" -ge 1 ] # /sys: a bind of the host's, not a new sysfs
	# no cgroup was made for it (and nothing else is left)
	[ -z "$(cgroups_named "$CID")" ]
	assert_nothing_left "$CID"
}

@test "rootless: state under \$XDG_RUNTIME_DIR/brig; list, state, kill, delete as the user" {
	set_args sleep 100
	as_user_xdg "$BRIG" run -d "$CID" </dev/null >"$TESTDIR/out" 2>"$TESTDIR/err" ||
		{ cat "$TESTDIR/err" >&2; false; }
	[ -f "$RL_XDG/brig/$CID/state.json" ]
	[ "$(stat -c %u "$RL_XDG/brig/$CID")" = "$RL_UID" ]
	run as_user_xdg "$BRIG" list -q
	[ "$status" -eq 0 ]
	[ "$output" = "$CID" ]
	run as_user_xdg "$BRIG" state "$CID"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .status)" = running ]
	pid=$(echo "$output" | jq -r .pid)
	proc_alive "$pid"
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = "$RL_UID" ]
	run as_user_xdg "$BRIG" kill "$CID" KILL
	[ "$status" -eq 0 ]
	for _ in $(seq 100); do
		[ "$(as_user_xdg "$BRIG" state "$CID" | jq -r .status)" = stopped ] && break
		sleep 0.05
	done
	[ "$(as_user_xdg "$BRIG" state "$CID" | jq -r .status)" = stopped ]
	run as_user_xdg "$BRIG" delete "$CID"
	[ "$status" -eq 0 ]
	[ ! -e "$RL_XDG/brig/$CID" ]
	! proc_alive "$pid"
	assert_nothing_left "$CID"
}

@test "rootless: without XDG_RUNTIME_DIR the state goes to /tmp/brig-<uid>" {
	set_args sleep 100
	as_user "$BRIG" run -d "$CID" </dev/null >"$TESTDIR/out" 2>"$TESTDIR/err" ||
		{ cat "$TESTDIR/err" >&2; false; }
	[ -f "/tmp/brig-$RL_UID/$CID/state.json" ]
	[ "$(stat -c '%u %a' "/tmp/brig-$RL_UID")" = "$RL_UID 700" ]
	run as_user "$BRIG" delete -f "$CID"
	[ "$status" -eq 0 ]
	[ ! -e "/tmp/brig-$RL_UID/$CID" ]
	ROOT=/tmp/brig-$RL_UID assert_nothing_left "$CID"
}

@test "rootless: a root-only feature (a memory limit without a cgroup) is a clear error" {
	if as_user test -w /sys/fs/cgroup || as_user test -w /sys/fs/cgroup/memory; then
		skip "the cgroup tree is delegated to the user here"
	fi
	update_config '.linux.resources.memory = {"limit": 104857600}'
	run --separate-stderr as_user_xdg "$BRIG" run "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == "brig: config.json: linux.resources: cgroup limits need root on this host ("* ]]
	[ ! -e "$RL_XDG/brig/$CID" ]
	assert_nothing_left "$CID"
}
