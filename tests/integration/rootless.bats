#!/usr/bin/env bats
# Rootless: a non-root user (made here, removed in teardown) runs brig on
# their own bundle. A user namespace maps them to root inside; no cgroup on
# a cgroup v1/hybrid host (or an undelegated v2 tree); state under their
# $XDG_RUNTIME_DIR/brig (or /tmp/brig-<uid> without it).
# The user also gets subordinate ids in /etc/subuid and /etc/subgid
# (SUB_UID, SUB_GID, 65536 each; both files restored in teardown), for maps
# of several ranges written by newuidmap/newgidmap.

load helpers

setup() {
	command -v useradd >/dev/null && command -v runuser >/dev/null ||
		skip "needs useradd and runuser"
	setup_bundle
	RL_USER=brigrl$RANDOM$RANDOM
	# before useradd, which may add subordinate ids of its own
	SUBID_BAK=$(mktemp -d /tmp/brig-subid.XXXXXX)
	for f in subuid subgid; do
		if [ -e "/etc/$f" ]; then cp -p "/etc/$f" "$SUBID_BAK/$f"; fi
	done
	useradd -M -U -s /bin/sh "$RL_USER"
	RL_UID=$(id -u "$RL_USER")
	RL_GID=$(id -g "$RL_USER")
	RL_XDG=/run/user/$RL_UID
	mkdir -p "$RL_XDG"
	chown "$RL_UID:$RL_GID" "$RL_XDG"
	chmod 700 "$RL_XDG"
	SUB_UID=$((300000000 + (RANDOM % 1000) * 65536))
	SUB_GID=$((SUB_UID + 100000000))
	echo "$RL_USER:$SUB_UID:65536" >>/etc/subuid
	echo "$RL_USER:$SUB_GID:65536" >>/etc/subgid
	# The state root brig picks by itself; teardown_bundle cleans it.
	ROOT=$RL_XDG/brig
	chown -R "$RL_UID:$RL_GID" "$BUNDLE"
	rm -f "$BUNDLE/config.json"
	export RL_USER RL_UID RL_GID RL_XDG ROOT SUB_UID SUB_GID
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
	if [ -n "${SUBID_BAK:-}" ]; then
		for f in subuid subgid; do
			if [ -e "$SUBID_BAK/$f" ]; then
				cp -p "$SUBID_BAK/$f" "/etc/$f"
			else
				rm -f "/etc/$f"
			fi
		done
		rm -rf "$SUBID_BAK"
	fi
}

# use_subids [UID_HOST] — map 0 to the user's own ids and 1..65536 to a
# subordinate range (by default the one /etc/subuid grants; the gid range
# is always the granted one).
use_subids() {
	local uhost=${1:-$SUB_UID}
	update_config --argjson u "$RL_UID" --argjson g "$RL_GID" \
		--argjson su "$uhost" --argjson sg "$SUB_GID" '
		.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1},
			{containerID: 1, hostID: $su, size: 65536}] |
		.linux.gidMappings = [{containerID: 0, hostID: $g, size: 1},
			{containerID: 1, hostID: $sg, size: 65536}]'
}

need_newidmap() {
	command -v newuidmap >/dev/null && command -v newgidmap >/dev/null ||
		skip "needs newuidmap and newgidmap (package uidmap)"
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
	! proc_alive "$pid" || false
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

@test "rootless: subordinate id ranges through newuidmap/newgidmap; user 1000 and additionalGids" {
	need_newidmap
	use_subids
	# a directory of the container's uid/gid 1000 (seen from outside)
	mkdir "$BUNDLE/rootfs/shared"
	chown "$((SUB_UID + 999)):$((SUB_GID + 999))" "$BUNDLE/rootfs/shared"
	update_config '.root.readonly = false | .process.user = {uid: 1000, gid: 1000, additionalGids: [2000, 100]}'
	set_args sh -c 'cat /proc/self/uid_map; cat /proc/self/gid_map; cat /proc/self/setgroups
		id -u; id -g; id -G; touch /shared/f; stat -c "%u:%g" /shared/f'
	run --separate-stderr as_user_xdg "$BRIG" run "$CID"
	echo "# status=$status stdout: $output stderr: $stderr" >&2
	[ "$status" -eq 0 ]
	[ "$(echo "${lines[0]}" | awk '{print $1, $2, $3}')" = "0 $RL_UID 1" ]
	[ "$(echo "${lines[1]}" | awk '{print $1, $2, $3}')" = "1 $SUB_UID 65536" ]
	[ "$(echo "${lines[2]}" | awk '{print $1, $2, $3}')" = "0 $RL_GID 1" ]
	[ "$(echo "${lines[3]}" | awk '{print $1, $2, $3}')" = "1 $SUB_GID 65536" ]
	[ "${lines[4]}" = allow ] # newgidmap: setgroups stays allowed
	[ "${lines[5]}" = 1000 ]
	[ "${lines[6]}" = 1000 ]
	[ "$(echo "${lines[7]}" | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "100 1000 2000 " ]
	[ "${lines[8]}" = 1000:1000 ]
	# outside, the file belongs to the subordinate ids of 1000
	[ "$(stat -c %u:%g "$BUNDLE/rootfs/shared/f")" = "$((SUB_UID + 999)):$((SUB_GID + 999))" ]
	assert_nothing_left "$CID"
}

@test "rootless: a subordinate range /etc/subuid does not grant is one clear error" {
	need_newidmap
	use_subids $((SUB_UID + 65536))
	run --separate-stderr as_user_xdg "$BRIG" run "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == "brig: "*"linux.uidMappings: newuidmap: "*"not allowed"* ]]
	[ ! -e "$RL_XDG/brig/$CID" ]
	assert_nothing_left "$CID"
}

@test "rootless: several ranges without newuidmap in PATH is one clear error" {
	use_subids
	run --separate-stderr as_user_xdg env PATH=/nonexistent "$BRIG" run "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == "brig: "*"linux.uidMappings: newuidmap not found in PATH (package uidmap)"* ]]
	[ ! -e "$RL_XDG/brig/$CID" ]
	assert_nothing_left "$CID"
}

@test "rootless Podman's way: uid 0 in the user's own user namespace, no --root, no cgroup (issue 18, item 3)" {
	# Podman (rootless) makes the user namespace itself and runs the
	# runtime in it as uid 0, with XDG_RUNTIME_DIR and USER=<the user>,
	# without --root: runc then keeps its state in $XDG_RUNTIME_DIR/runc
	# and goes on without a cgroup it cannot make
	update_config 'del(.linux.uidMappings, .linux.gidMappings)
		| .linux.namespaces |= map(select(.type != "user"))
		| .process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map"]'
	cp "$BRIG" "$TESTDIR/brig-rl"
	chmod 755 "$TESTDIR/brig-rl"
	run --separate-stderr as_user_xdg env USER="$RL_USER" unshare --user --map-root-user \
		"$TESTDIR/brig-rl" run --bundle "$BUNDLE" "$CID"
	echo "$status $output $stderr" >&2
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[[ ${lines[1]} == *"0"*"$RL_UID"*"1" ]]
	# its state went where runc's would, under XDG_RUNTIME_DIR
	[ -d "$RL_XDG/brig" ]
	[ -z "$(cgroups_named "$CID")" ]
}

@test "rootless: --network none (loopback only) and host work, nat is refused with one line" {
	set_args sh -c 'ip -o link | wc -l; grep -c localhost /etc/hosts'
	run --separate-stderr as_user_xdg "$BRIG" run --network none "$CID"
	echo "# status=$status stdout: $output stderr: $stderr" >&2
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -eq 1 ]
	[ "${lines[1]}" -ge 1 ]
	set_args sh -c 'ip -o link | wc -l'
	run --separate-stderr as_user_xdg "$BRIG" run --network host "$CID"
	echo "# status=$status stdout: $output stderr: $stderr" >&2
	[ "$status" -eq 0 ]
	[ "$output" -eq "$(ip -o link | wc -l)" ]
	run --separate-stderr as_user_xdg "$BRIG" run --network nat "$CID"
	[ "$status" -eq 1 ]
	assert_error_line
	[[ $stderr == *"needs root"* ]]
	assert_nothing_left "$CID"
}

@test "rootless: a stopped service starts again with its log; its monitor's lock and record stay the user's" {
	set_args sh -c 'echo run; sleep 30'
	as_user_xdg "$BRIG" run -d --log-path '' "$CID" </dev/null >"$TESTDIR/out" 2>"$TESTDIR/err" ||
		{ cat "$TESTDIR/err"; false; }
	local mon i
	mon=$(sed -n 2p "$ROOT/$CID/log.info")
	as_user_xdg "$BRIG" stop -t 0 "$CID"
	for i in $(seq 100); do kill -0 "$mon" 2>/dev/null || break; sleep 0.05; done
	as_user_xdg "$BRIG" start "$CID" </dev/null >"$TESTDIR/out" 2>"$TESTDIR/err" ||
		{ cat "$TESTDIR/err"; false; }
	[ "$(as_user_xdg "$BRIG" state "$CID" | jq -r .status)" = running ]
	[ "$(stat -c %u "$ROOT/$CID/monitor.lock" "$ROOT/$CID/service.json" | sort -u)" = "$RL_UID" ]
	mon=$(sed -n 2p "$ROOT/$CID/log.info")
	as_user_xdg "$BRIG" stop -t 0 "$CID"
	for i in $(seq 100); do kill -0 "$mon" 2>/dev/null || break; sleep 0.05; done
	[ "$(grep -c 'stdout F run$' "$ROOT/$CID/container.log")" = 2 ]
	# root's start of the user's container is refused: the record is not root's
	run --separate-stderr brig start "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	as_user_xdg "$BRIG" delete "$CID"
}
