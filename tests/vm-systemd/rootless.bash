# tests/vm-systemd/rootless.bash — a user's own systemd manager (lingering
# user brigu, uid 1000, made by customize) driving the runtime RT: RT
# --systemd-cgroup as the user puts the scope under user@1000.service;
# rootless Podman with its default cgroup manager (systemd) and --runtime RT.
#
#   rootless_checks runc|brig

RL_USER=brigu RL_UID=1000
RL_XDG=/run/user/$RL_UID

# as_user CMD... — CMD as the user, with the environment its session has.
as_user() {
	(cd /home/$RL_USER && timeout -k 5 120 runuser -u $RL_USER -- env -i \
		HOME=/home/$RL_USER USER=$RL_USER LOGNAME=$RL_USER PATH="$PATH" \
		XDG_RUNTIME_DIR=$RL_XDG DBUS_SESSION_BUS_ADDRESS=unix:path=$RL_XDG/bus "$@")
}

# user_manager_up — linger on, user@1000.service running, its bus there.
user_manager_up() {
	local i
	loginctl enable-linger $RL_USER || return 1
	for i in $(seq 100); do
		systemctl is-active --quiet user@$RL_UID.service && [ -S $RL_XDG/bus ] && return 0
		sleep 0.3
	done
	systemctl status --no-pager user@$RL_UID.service 2>&1 | head -n 20
	return 1
}

# rl_rt ARGS... — the runtime as the user, with the systemd driver.
rl_rt() { as_user "$RL_BIN" --root "$RL_XDG/vmsd-$RT" --systemd-cgroup "$@"; }

c_rootless_scope() {
	local dir=/home/$RL_USER/bundle-$RT id=$RT-rl unit cg r=0
	unit=brig-$id.scope
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -a "$ROOTFS" "$dir/rootfs"
	chown -R $RL_USER: "$dir"
	as_user sh -c "cd $dir && runc spec --rootless" || return 1
	jq --arg cg "user.slice:brig:$id" '.process.args = ["sleep", "1000"]
		| .process.terminal = false | .linux.cgroupsPath = $cg
		| .linux.resources.pids = {limit: 32}' "$dir/config.json" >"$dir/c.json" &&
		mv "$dir/c.json" "$dir/config.json" && chown $RL_USER: "$dir/config.json"
	rl_rt create --bundle "$dir" "$id" </dev/null >/dev/null 2>"$dir/err" ||
		{ echo "create as $RL_USER failed:"; cat "$dir/err"; return 1; }
	rl_rt start "$id" || r=1
	as_user systemctl --user is-active --quiet "$unit" ||
		{ as_user systemctl --user status --no-pager "$unit" 2>&1 | head -n 20; r=1; }
	cg=$(as_user systemctl --user show -p ControlGroup --value "$unit")
	[[ $cg == /user.slice/user-$RL_UID.slice/user@$RL_UID.service/* ]] ||
		{ echo "the scope's cgroup '$cg' is not under user@$RL_UID.service"; r=1; }
	want pids.max "$(cat "/sys/fs/cgroup$cg/pids.max" 2>&1)" 32 || r=1
	want TasksMax "$(as_user systemctl --user show -p TasksMax --value "$unit")" 32 || r=1
	rl_rt delete --force "$id" || r=1
	[ -z "$(as_user systemctl --user list-units --all --plain --no-legend "$unit")" ] ||
		{ echo "$unit left"; r=1; }
	[ ! -e "/sys/fs/cgroup$cg" ] || { echo "/sys/fs/cgroup$cg left"; r=1; }
	rm -rf "$dir"
	return $r
}

# p ARGS... — rootless podman with the runtime under test, no network
# (slirp4netns would need /dev/net/tun), its defaults otherwise.
p() { as_user podman --runtime "$RL_BIN" "$@"; }
PIMG=localhost/vmsd:busybox

podman_image() {
	p image exists $PIMG && return 0
	tar -C "$ROOTFS" -cf /tmp/vmsd-rootfs.tar . && chmod 644 /tmp/vmsd-rootfs.tar
	p import /tmp/vmsd-rootfs.tar $PIMG >/dev/null
}

c_podman_manager() {
	want "podman info: cgroup manager" "$(p info --format '{{.Host.CgroupManager}}')" systemd
}

c_podman_run() {
	want "podman run --rm echo hi" "$(p run --rm --network none $PIMG echo hi 2>&1)" hi
}

c_podman_detached() {
	local cid pid cg r=0
	cid=$(p run -d --network none $PIMG sleep 1000) || return 1
	pid=$(p inspect -f '{{.State.Pid}}' "$cid")
	cg=$(cut -d: -f3 "/proc/$pid/cgroup")
	[[ $cg == /user.slice/user-$RL_UID.slice/user@$RL_UID.service/*libpod-$cid.scope* ]] ||
		{ echo "the container's cgroup is $cg"; r=1; }
	p rm -f -t 0 "$cid" >/dev/null || r=1
	[ ! -e "/sys/fs/cgroup${cg%/container}" ] || { echo "/sys/fs/cgroup$cg left"; r=1; }
	return $r
}

rootless_checks() {
	RT=$1 RL_BIN=$(command -v "$1")
	if [ -z "${RL_READY:-}" ]; then
		check "rootless: loginctl enable-linger starts user@$RL_UID.service and its bus" user_manager_up
		RL_READY=1
	fi
	check "$RT: rootless --systemd-cgroup as $RL_USER: the scope under user@$RL_UID.service, pids.max and TasksMax, gone after delete" c_rootless_scope
	check "$RT: rootless podman (default cgroup manager): podman info says systemd" c_podman_manager
	if ! podman_image >/tmp/vmsd-pimg.log 2>&1; then
		check "$RT: rootless podman import" failed_with /tmp/vmsd-pimg.log
		return
	fi
	check "$RT: rootless podman --runtime: run --rm echo hi" c_podman_run
	check "$RT: rootless podman --runtime: a detached container in libpod-<id>.scope under user@$RL_UID.service, gone after rm" c_podman_detached
}
