# tests/vm-systemd/clients.bash — the real clients at their default cgroup
# driver (systemd here) driving the runtime RT (runc first, the oracle,
# then brig): subsets of tests/compat run with COMPAT_CGROUP=systemd, and
# dockerd with --default-runtime.
#
#   client_checks runc|brig
#
# The subsets keep what goes through the cgroup driver (a container's
# scope, its limits, update, pause, stop, rm) and leave out, to keep the
# suite near 10 minutes under TCG, what the host's compat run covers
# already (entrypoint errors, seccomp, devices, terminals, networking) and
# what reads cgroup v1 paths (the VM has v2 only): Docker's
# update-every-field and --userns-remap, containerd's pause, metrics,
# limits and kill --all, the CRI's resources, restart and teardown cases.

DOCKER_ONLY='cgroup driver|docker run --rm: echo hi|cpu shares 0|--memory, --pids-limit|a detached container'
PODMAN_ONLY='podman run --rm: echo hi|run: --memory, --pids-limit|a detached container|pause, unpause'
CTRD_ONLY='images import|echo hi, and nothing left|task ls RUNNING|delete -f on a stopped task'
CRI_ONLY='is ready|ExecSync|StopContainer'

compat_suite() {
	local rt=$1 file=$2 only=$3 start=$SECONDS
	COMPAT_RUNTIME=$rt COMPAT_CGROUP=systemd tap_bats "$rt: $(basename "$file" .bats)" \
		--filter "$only" "/payload/tests/compat/$file"
	echo "# $file: $((SECONDS - start))s"
}

# dockerd with the runtime under test as its default, its default cgroup
# driver: docker info says systemd, a container lands in
# system.slice/docker-<id>.scope, gone after rm.
c_docker_default_runtime() {
	local dd r=0 i cid pid cg
	dd=$(mktemp -d /tmp/vmsd-docker.XXXXXX)
	dockerd --add-runtime "compat=$RT_BIN" --default-runtime compat \
		--bridge=none --iptables=false --ip-masq=false --ip6tables=false \
		--data-root "$dd/data" --exec-root "$dd/exec" -H "unix://$dd/docker.sock" \
		--pidfile "$dd/docker.pid" --storage-driver vfs --log-level warn >"$dd/log" 2>&1 &
	local dpid=$!
	dk() { timeout -k 5 120 docker -H "unix://$dd/docker.sock" "$@"; }
	for i in $(seq 150); do
		dk version >/dev/null 2>&1 && break
		sleep 0.2
	done
	want "docker info: driver, default runtime" \
		"$(dk info -f '{{.CgroupDriver}} {{.DefaultRuntime}}' 2>&1)" "systemd compat" || r=1
	if [ $r -eq 0 ] && tar -C "$ROOTFS" -c . | dk import - vmsd:busybox >/dev/null; then
		cid=$(dk run -d --network none vmsd:busybox sleep 1000) || r=1
		pid=$(dk inspect -f '{{.State.Pid}}' "$cid")
		want "the container's runtime" "$(dk inspect -f '{{.HostConfig.Runtime}}' "$cid")" compat || r=1
		cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
		want "the container's cgroup" "$cg" "/system.slice/docker-$cid.scope" || r=1
		systemctl is-active --quiet "docker-$cid.scope" || { systemctl status --no-pager "docker-$cid.scope" | head; r=1; }
		dk rm -f "$cid" >/dev/null || r=1
		[ -z "$(systemctl list-units --all --plain --no-legend "docker-$cid.scope")" ] ||
			{ echo "docker-$cid.scope left"; r=1; }
	else
		r=1
	fi
	[ $r -eq 0 ] || tail -n 20 "$dd/log"
	dk ps -aq 2>/dev/null | xargs -r timeout 60 docker -H "unix://$dd/docker.sock" rm -f >/dev/null 2>&1
	kill "$dpid" 2>/dev/null
	for i in $(seq 100); do kill -0 "$dpid" 2>/dev/null || break; sleep 0.2; done
	kill -9 "$dpid" 2>/dev/null
	pkill -KILL -f -- "$dd/" 2>/dev/null
	awk -v s="$dd" 'index($5, s) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r umount -l
	rm -rf "$dd"
	return $r
}

client_checks() {
	RT=$1 RT_BIN=$(command -v "$1")
	compat_suite "$RT" docker.bats "$DOCKER_ONLY"
	check "$RT: dockerd --default-runtime (systemd driver): docker-<id>.scope, gone after rm" c_docker_default_runtime
	compat_suite "$RT" podman.bats "$PODMAN_ONLY"
	compat_suite "$RT" containerd.bats "$CTRD_ONLY"
	compat_suite "$RT" cri.bats "$CRI_ONLY"
}
