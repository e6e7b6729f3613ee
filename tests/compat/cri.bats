#!/usr/bin/env bats
# The Kubernetes path: containerd's CRI plugin (Debian's containerd, the
# io.containerd.runc.v2 shim) driving brig as a runtime handler, asked
# what kubelet asks by tests/compat/cri/cri.py (a small CRI v1 gRPC client
# over tests/compat/cri/runtime.proto), with pod networking by Debian's
# containernetworking-plugins (bridge + host-local on a bridge and subnet
# of the test's own, see tests/compat/cri/cri.bash).
#
# Each test runs pods with the handler under test and checks what their
# containers really see: addresses, namespaces, cgroup limits, ids,
# capabilities, mounts, logs, and that nothing is left behind.
#
#   COMPAT_RUNTIME=runc bats tests/compat/cri.bats    the same with runc
#
# Everything (pods, containerd, shims, network namespaces, mounts,
# cgroups, the bridge) is removed by teardown_file, even when a test fails.

load ../integration/helpers
load compat
load cri/cri

# bit N of a /proc/PID/status capability mask
cap_bit() { echo $(((0x$1 >> $2) & 1)); }

setup_file() {
	local why
	why=$(cri_missing)
	[ -z "$why" ] || skip "$why"
	case ${COMPAT_RUNTIME:-brig} in
	brig | runc) CRI_HANDLER=${COMPAT_RUNTIME:-brig} ;;
	*) skip "COMPAT_RUNTIME=$COMPAT_RUNTIME: the CRI handlers are brig and runc" ;;
	esac
	export CRI_HANDLER
	cri_setup
}

teardown() {
	[ -n "${CD:-}" ] && cri_remove_all
	return 0
}

teardown_file() {
	cri_teardown
}

@test "CRI: the private containerd is ready, both handlers, the local images" {
	run cri version
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == "containerd "*"(CRI v1)" ]]
	run cri status
	[ "${lines[0]}" = RuntimeReady=true ]
	[ "${lines[1]}" = NetworkReady=true ]
	run cri images
	[[ $output == *"$CRI_IMG"* ]]
	[[ $output == *"$CRI_PAUSE"* ]]
	grep -q "BinaryName = \"$BRIG\"" "$CD/config.toml"
	# bad input: one line, status 125
	run cri runp /nonexistent.json
	[ "$status" -eq 125 ]
	[ "${#lines[@]}" -eq 1 ]
	run cri start 0000
	[ "$status" -eq 125 ]
	[[ $output == "cri.py: StartContainer: "* ]]
}

@test "CRI pods: bridge networking, pod IP on the test's subnet, lo up, another pod reached; sysctls, hostname, DNS" {
	local a b ca cb ipa ipb
	a=$(runp alpha '.linux.sysctls = {"net.ipv4.ip_unprivileged_port_start": "100"}')
	b=$(runp beta)
	ca=$(run_ctr "$a" alpha c -- sleep 1000)
	cb=$(run_ctr "$b" beta c -- sleep 1000)
	ipa=$(cri inspectp "$a" | jq -r .status.network.ip)
	ipb=$(cri inspectp "$b" | jq -r .status.network.ip)
	[[ $ipa == "$CRI_NET".* ]]
	[[ $ipb == "$CRI_NET".* ]]
	[ "$ipa" != "$ipb" ]
	# what the container sees: its address on eth0, lo up, the pod's
	# hostname, DNS config and sysctl
	run cri exec-sync "$ca" sh -c 'ip -o -4 addr show eth0; ip -o link show lo; hostname;
		cat /etc/resolv.conf; cat /proc/sys/net/ipv4/ip_unprivileged_port_start'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *" eth0 "*"inet $ipa/24 "* ]]
	[[ ${lines[1]} == *"<LOOPBACK,UP,LOWER_UP>"* ]]
	[ "${lines[2]}" = alpha ]
	[[ $output == *"nameserver 10.232.255.53"* ]]
	[[ $output == *"search brigcri.test"* ]]
	[ "${lines[-1]}" = 100 ]
	# the other pod answers, through the test's bridge
	run cri exec-sync "$ca" ping -c 1 -W 5 "$ipb"
	echo "$output"
	[ "$status" -eq 0 ]
	run cri exec-sync "$cb" ping -c 1 -W 5 127.0.0.1
	[ "$status" -eq 0 ]
	[ "$(ip -o link show master "$CRI_BRIDGE" | wc -l)" -eq 2 ]
	# the handler under test runs it: its state, under the handler's root
	local rt=$BRIG
	[ "$CRI_HANDLER" = runc ] && rt=$(command -v runc)
	run timeout 10 "$rt" --root "$CD/rt-$CRI_HANDLER/k8s.io" state "$ca"
	echo "$output"
	[ "$(jq -r .status <<<"$output")" = running ]
	[ "$(jq -r .pid <<<"$output")" = "$(ctr_pid "$ca")" ]
	# the container is in the sandbox's network namespace, not the host's
	[ "$(cri exec-sync "$ca" readlink /proc/self/ns/net)" = "$(readlink "/proc/$(pod_pid "$a")/ns/net")" ]
	[ "$(cri exec-sync "$ca" readlink /proc/self/ns/net)" != "$(readlink /proc/$$/ns/net)" ]
}

@test "CRI pods: two containers share the pod's network; shareProcessNamespace shares pids" {
	local p a b pp
	p=$(runp duo)
	a=$(run_ctr "$p" duo a -- sh -c 'while :; do echo from-a | nc -l -p 7777; done')
	b=$(run_ctr "$p" duo b -- sleep 1002)
	pp=$(pod_pid "$p")
	local ns
	for ns in net ipc uts; do
		[ "$(cri exec-sync "$a" readlink /proc/self/ns/$ns)" = "$(readlink "/proc/$pp/ns/$ns")" ]
		[ "$(cri exec-sync "$b" readlink /proc/self/ns/$ns)" = "$(readlink "/proc/$pp/ns/$ns")" ]
	done
	# b reaches a's listener on the pod's loopback
	run cri exec-sync "$b" sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do nc 127.0.0.1 7777 </dev/null && exit; sleep 0.2; done; exit 1'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = from-a ]
	# without shareProcessNamespace: a pid namespace each, its own init
	[ "$(cri exec-sync "$a" readlink /proc/self/ns/pid)" != "$(cri exec-sync "$b" readlink /proc/self/ns/pid)" ]
	run cri exec-sync "$b" ps -o pid,args
	echo "$output"
	[[ $output == *"1 sleep 1002"* ]]
	[[ $output != *nc* ]]

	local q c d
	q=$(runp shared '.linux.securityContext.namespaceOptions.pid = "POD"')
	c=$(run_ctr "$q" shared c '.linux.securityContext.namespaceOptions.pid = "POD"' -- sleep 1003)
	d=$(run_ctr "$q" shared d '.linux.securityContext.namespaceOptions.pid = "POD"' -- sleep 1004)
	[ "$(cri exec-sync "$c" readlink /proc/self/ns/pid)" = "$(readlink "/proc/$(pod_pid "$q")/ns/pid")" ]
	[ "$(cri exec-sync "$d" readlink /proc/self/ns/pid)" = "$(readlink "/proc/$(pod_pid "$q")/ns/pid")" ]
	# each sees the other's process, and the sandbox as pid 1
	run cri exec-sync "$c" ps -o pid,args
	echo "$output"
	[[ $output == *"sleep 1004"* ]]
	[[ ${lines[1]} == *"1 sleep 2147483647" ]]
	run cri exec-sync "$d" ps -o args
	[[ $output == *"sleep 1003"* ]]
}

@test "CRI ExecSync: exit codes, stdout and stderr, env/cwd/user of the container, timeout, a missing command" {
	local p c
	p=$(runp execs)
	c=$(run_ctr "$p" execs c '.envs = [{key: "FOO", value: "bar baz"}] | .workingDir = "/tmp"' -- sleep 1000)
	run --separate-stderr cri exec-sync "$c" sh -c 'echo out; echo err >&2; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = out ]
	[ "$stderr" = err ]
	run cri exec-sync "$c" true
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run cri exec-sync "$c" sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
	run cri exec-sync "$c" sh -c 'echo "$FOO"; pwd; id -u; echo $$'
	echo "$output"
	[ "${lines[0]}" = "bar baz" ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" -gt 1 ]
	# the exec's deadline: containerd kills it and says so
	local t0=$SECONDS
	run cri exec-sync -t 1 "$c" sleep 30
	echo "$output"
	[ "$status" -ne 0 ]
	[ $((SECONDS - t0)) -lt 15 ]
	[[ $output == *"timeout"* ]]
	# no such command: the exec fails, the container goes on
	run cri exec-sync "$c" /no/such/command
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"no such file or directory"* || $output == *"No such file or directory"* ]]
	[ "$(ctr_state "$c")" = CONTAINER_RUNNING ]
	run cri exec-sync "$c" echo still
	[ "$output" = still ]
}

@test "CRI logs: the container's log file, in the CRI format, at the path containerd gives" {
	local p c log
	p=$(runp logs)
	c=$(run_ctr "$p" logs c -- sh -c 'echo out1; echo err1 >&2; echo out2
		head -c 20000 /dev/zero | tr "\0" y; echo; printf last')
	wait_state "$c" CONTAINER_EXITED
	log=$(cri logpath "$c")
	[ "$log" = "$CD/logs/logs/c.log" ]
	cat "$log"
	# every line: RFC 3339 time, stream, P(artial) or F(ull), the text
	run grep -c -v -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9:]+) (stdout|stderr) [PF] ' "$log"
	[ "$output" = 0 ]
	[ "$(grep -c ' stdout F out1$' "$log")" = 1 ]
	[ "$(grep -c ' stderr F err1$' "$log")" = 1 ]
	[ "$(grep -c ' stdout F out2$' "$log")" = 1 ]
	[ "$(grep -c ' stdout . last$' "$log")" = 1 ]
	# the 20000-byte line is split (max_container_log_line_size 16384)
	[ "$(grep ' stdout P ' "$log" | wc -l)" -ge 1 ]
	[ "$(grep ' stdout [PF] y' "$log" | cut -d' ' -f4- | tr -d '\n' | wc -c)" = 20000 ]
	# the container's exit code
	[ "$(cri inspect "$c" | jq -r .status.exitCode)" = null ] # 0 is left out
	[ "$(cri inspect "$c" | jq -r .status.reason)" = Completed ]
}

@test "CRI resources: cpu shares, quota and memory limit in the container's cgroup; UpdateContainerResources" {
	local p c pid cg
	p=$(runp res)
	c=$(run_ctr "$p" res c '.linux.resources = {cpuShares: 512, cpuPeriod: 100000,
		cpuQuota: 50000, memoryLimitInBytes: 67108864, oomScoreAdj: 500}' -- sleep 1000)
	pid=$(ctr_pid "$c")
	# the container's cgroup: /CG/res/<id>, as /proc shows it
	grep -q ":cpu:/$CG/res/$c\$" "/proc/$pid/cgroup"
	grep -q ":memory:/$CG/res/$c\$" "/proc/$pid/cgroup"
	cg=$CG/res/$c
	[ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.shares)" = 512 ]
	[ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.cfs_quota_us)" = 50000 ]
	[ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.cfs_period_us)" = 100000 ]
	[ "$(cat /sys/fs/cgroup/memory/$cg/memory.limit_in_bytes)" = 67108864 ]
	# and as the container sees them (its cgroup at /sys/fs/cgroup/X)
	run cri exec-sync "$c" sh -c 'cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us \
		/sys/fs/cgroup/memory/memory.limit_in_bytes /proc/1/oom_score_adj'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '512\n50000\n67108864\n500')" ]
	# the sandbox's cgroup is beside it
	grep -q ":memory:/$CG/res/$p\$" "/proc/$(pod_pid "$p")/cgroup"

	run cri update-resources "$c" <(echo '{"cpuShares": 256, "cpuPeriod": 100000, "cpuQuota": 20000, "memoryLimitInBytes": 134217728}')
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.shares)" = 256 ]
	[ "$(cat /sys/fs/cgroup/cpu/$cg/cpu.cfs_quota_us)" = 20000 ]
	[ "$(cat /sys/fs/cgroup/memory/$cg/memory.limit_in_bytes)" = 134217728 ]
	run cri exec-sync "$c" sh -c 'cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/memory/memory.limit_in_bytes'
	[ "$output" = "$(printf '256\n134217728')" ]
	# containerd's record follows
	run cri inspect "$c"
	[ "$(jq -r .status.resources.linux.cpuShares <<<"$output")" = 256 ]
	[ "$(jq -r .status.resources.linux.memoryLimitInBytes <<<"$output")" = 134217728 ]
	# a limit below what the container uses is refused (the kernel's
	# EBUSY), reported, and the old limit stays
	run cri update-resources "$c" <(echo '{"memoryLimitInBytes": 4096}')
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$(cat /sys/fs/cgroup/memory/$cg/memory.limit_in_bytes)" = 134217728 ]
	# the limit holds: the kernel kills, the shim sees the OOM event
	local o
	o=$(run_ctr "$p" res oom '.linux.resources = {memoryLimitInBytes: 16777216}' -- \
		awk 'BEGIN { s = "x"; while (1) s = s s }')
	wait_state "$o" CONTAINER_EXITED
	run cri inspect "$o"
	[ "$(jq -r .status.reason <<<"$output")" = OOMKilled ]
	[ "$(jq -r .status.exitCode <<<"$output")" = 137 ]
}

@test "CRI workingDir: a missing one is made (kubelet relies on it), also for another user" {
	local p c d
	p=$(runp wd)
	c=$(run_ctr "$p" wd c '.workingDir = "/work/not/there"' -- sh -c 'pwd; sleep 1000')
	wait_state "$c" CONTAINER_RUNNING
	run cri exec-sync "$c" sh -c 'pwd; stat -c "%u %a" /work/not/there'
	echo "$output"
	[ "$output" = "$(printf '/work/not/there\n0 755')" ]
	d=$(run_ctr "$p" wd d '.workingDir = "/home/user/new" | .linux.securityContext.runAsUser = {value: 1000}' -- sleep 1000)
	run cri exec-sync "$d" sh -c 'pwd; id -u'
	echo "$output"
	[ "$output" = "$(printf '/home/user/new\n1000')" ]
}

@test "CRI securityContext: runAsUser, runAsGroup, supplementalGroups; readOnlyRootFilesystem with volumes" {
	local p c r vol
	p=$(runp sec)
	c=$(run_ctr "$p" sec c '.linux.securityContext += {runAsUser: {value: 1000},
		runAsGroup: {value: 1000}, supplementalGroups: [4242]}' -- sleep 1000)
	run cri exec-sync "$c" sh -c 'grep -E "^(Uid|Gid|Groups):" /proc/1/status; id -u; id -g'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "Uid: 1000 1000 1000 1000" ]
	[ "$(echo ${lines[1]})" = "Gid: 1000 1000 1000 1000" ]
	# containerd adds the image's groups of user 1000 (users, 100)
	[[ " $(echo ${lines[2]}) " == *" 100 "* ]]
	[[ " $(echo ${lines[2]}) " == *" 4242 "* ]]
	[ "${lines[3]}" = 1000 ]
	[ "${lines[4]}" = 1000 ]
	# a non-root user has no capabilities
	run cri exec-sync "$c" grep ^CapEff: /proc/1/status
	[ "$(echo $output)" = "CapEff: 0000000000000000" ]

	vol=$CD/vol
	mkdir -p "$vol/rw" "$vol/ro"
	echo data >"$vol/ro/file"
	r=$(run_ctr "$p" sec r '.linux.securityContext.readonlyRootfs = true | .mounts = [
		{containerPath: "/data", hostPath: "'"$vol/rw"'"},
		{containerPath: "/config", hostPath: "'"$vol/ro"'", readonly: true}]' -- sleep 1000)
	run cri exec-sync "$r" sh -c 'touch /x 2>/dev/null && echo WROTE-ROOT
		echo hi >/data/f && echo wrote-data; cat /config/file
		(echo no >/config/file) 2>/dev/null && echo WROTE-CONFIG
		echo shm >/dev/shm/f && echo wrote-shm
		awk "\$5 == \"/\" { print \$6 }" /proc/self/mountinfo'
	echo "$output"
	[[ $output != *WROTE* ]]
	[ "${lines[0]}" = wrote-data ]
	[ "${lines[1]}" = data ]
	[ "${lines[2]}" = wrote-shm ]
	[[ ${lines[3]} == ro,* ]]
	[ "$(cat "$vol/rw/f")" = hi ]
	[ "$(cat "$vol/ro/file")" = data ]
}

@test "CRI securityContext: capabilities add and drop; seccomp RuntimeDefault and Unconfined" {
	local p c u
	p=$(runp caps)
	c=$(run_ctr "$p" caps c '.linux.securityContext.capabilities = {
		addCapabilities: ["NET_ADMIN", "SYS_TIME"], dropCapabilities: ["CHOWN", "NET_RAW"]}' -- sleep 1000)
	run cri exec-sync "$c" sh -c 'grep -E "^Cap(Eff|Bnd):" /proc/1/status; grep ^CapEff: /proc/self/status'
	echo "$output"
	local eff=${lines[0]##*[[:space:]]} bnd=${lines[1]##*[[:space:]]} exe=${lines[2]##*[[:space:]]}
	[ "$eff" = "$bnd" ]
	[ "$exe" = "$eff" ]
	# CHOWN 0, NET_ADMIN 12, NET_RAW 13, SYS_TIME 25; KILL 5 stays
	[ "$(cap_bit "$eff" 0)" = 0 ]
	[ "$(cap_bit "$eff" 12)" = 1 ]
	[ "$(cap_bit "$eff" 13)" = 0 ]
	[ "$(cap_bit "$eff" 25)" = 1 ]
	[ "$(cap_bit "$eff" 5)" = 1 ]
	# and they bite
	run cri exec-sync "$c" sh -c 'touch /tmp/f; chown 1000 /tmp/f 2>&1 || echo no-chown
		ip link set lo mtu 60000 && ip -o link show lo'
	echo "$output"
	[[ $output == *no-chown* ]]
	[[ $output == *"mtu 60000"* ]]
	# containerd's default profile: a user namespace needs CAP_SYS_ADMIN
	c=$(run_ctr "$p" caps sc '.linux.securityContext.seccomp = {profileType: "RuntimeDefault"}' -- sleep 1000)
	run cri exec-sync "$c" sh -c 'grep ^Seccomp: /proc/1/status; unshare -U true 2>&1 && echo unshared'
	echo "$output"
	[ "$(echo ${lines[0]})" = "Seccomp: 2" ]
	[[ $output != *unshared* ]]
	u=$(run_ctr "$p" caps un '.linux.securityContext.seccomp = {profileType: "Unconfined"}' -- sleep 1000)
	run cri exec-sync "$u" sh -c 'grep ^Seccomp: /proc/1/status; unshare -U true 2>&1 && echo unshared'
	echo "$output"
	[ "$(echo ${lines[0]})" = "Seccomp: 0" ]
	[ "${lines[1]}" = unshared ]
}

@test "CRI privileged pod: every capability, host devices, /sys rw, nothing masked" {
	local p c
	p=$(runp priv '.linux.securityContext.privileged = true')
	c=$(run_ctr "$p" priv c '.linux.securityContext.privileged = true' -- sleep 1000)
	run cri exec-sync "$c" sh -c 'grep ^CapEff: /proc/1/status; grep ^Seccomp: /proc/1/status
		grep " /sys " /proc/self/mountinfo; grep -c " /proc/kcore " /proc/self/mountinfo
		test -c /dev/kmsg && echo kmsg; ls /dev | wc -l'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "CapEff: $(awk '/^CapBnd:/ { print $2 }' /proc/self/status)" ]
	[ "$(echo ${lines[1]})" = "Seccomp: 0" ]
	[[ ${lines[2]} == *" /sys rw,"* ]]
	[ "${lines[3]}" = 0 ]
	[ "${lines[4]}" = kmsg ]
	[ "${lines[5]}" -gt 20 ]
}

@test "CRI hostNetwork and hostPID pods: the host's namespaces" {
	local p c q d
	p=$(runp hnet '.linux.securityContext.namespaceOptions.network = "NODE"')
	c=$(run_ctr "$p" hnet c '.linux.securityContext.namespaceOptions.network = "NODE"' -- sleep 1000)
	run cri exec-sync "$c" sh -c 'readlink /proc/self/ns/net; readlink /proc/self/ns/pid; hostname; ip -o link show lo'
	echo "$output"
	[ "${lines[0]}" = "$(readlink /proc/$$/ns/net)" ]
	[ "${lines[1]}" != "$(readlink /proc/$$/ns/pid)" ]
	[ "${lines[2]}" = "$(hostname)" ]
	[ "$(readlink "/proc/$(pod_pid "$p")/ns/net")" = "$(readlink /proc/$$/ns/net)" ]

	q=$(runp hpid '.linux.securityContext.namespaceOptions.pid = "NODE"')
	d=$(run_ctr "$q" hpid d '.linux.securityContext.namespaceOptions.pid = "NODE"' -- sleep 1000)
	run cri exec-sync "$d" sh -c "readlink /proc/self/ns/pid; readlink /proc/self/ns/net; test -d /proc/$$ && echo sees-bats"
	echo "$output"
	[ "${lines[0]}" = "$(readlink /proc/$$/ns/pid)" ]
	[ "${lines[1]}" != "$(readlink /proc/$$/ns/net)" ]
	[ "${lines[2]}" = sees-bats ]
	# its init is seen under its host pid
	[ "$(cri exec-sync "$d" cat "/proc/$(ctr_pid "$d")/cmdline" | tr '\0' ' ')" = "sleep 1000 " ]
}

@test "CRI StopContainer: SIGTERM, SIGKILL after the grace period; exit codes; RemoveContainer" {
	local p a b t0
	p=$(runp stops)
	a=$(run_ctr "$p" stops a -- sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done')
	b=$(run_ctr "$p" stops b -- sleep 1000)
	wait_state "$a" CONTAINER_RUNNING
	t0=$SECONDS
	run cri stop -t 10 "$a"
	[ "$status" -eq 0 ]
	[ $((SECONDS - t0)) -lt 5 ]
	[ "$(ctr_state "$a")" = CONTAINER_EXITED ]
	[ "$(cri inspect "$a" | jq -r .status.exitCode)" = 7 ]
	# pid 1 without a handler does not die of SIGTERM: SIGKILL after 1 s
	t0=$SECONDS
	run cri stop -t 1 "$b"
	[ "$status" -eq 0 ]
	[ "$(ctr_state "$b")" = CONTAINER_EXITED ]
	[ "$(cri inspect "$b" | jq -r .status.exitCode)" = 137 ]
	run cri rm "$a"
	[ "$status" -eq 0 ]
	run cri rm "$b"
	[ "$status" -eq 0 ]
	[ -z "$(cri ps "$p")" ]
	[ -z "$(find "/sys/fs/cgroup/memory/$CG/stops" -mindepth 1 -name "$a")" ]
	[ ! -e "$CD/rt-$CRI_HANDLER/k8s.io/$a" ]
	[ -e "$CD/rt-$CRI_HANDLER/k8s.io/$p" ]
}

@test "CRI containerd restart: the running pod survives and is still managed" {
	local p c pid shim
	p=$(runp phoenix)
	c=$(run_ctr "$p" phoenix c -- sh -c 'while :; do sleep 0.1; done')
	pid=$(ctr_pid "$c")
	shim=$(pgrep -f -- "-id $p -address $CD/containerd.sock")
	[ -n "$shim" ]
	cri_stop
	kill -0 "$pid"
	kill -0 "$shim"
	cri_start
	[ "$(ctr_state "$c")" = CONTAINER_RUNNING ]
	[ "$(ctr_pid "$c")" = "$pid" ]
	run cri exec-sync "$c" echo alive
	[ "$output" = alive ]
	# a new container in the old pod, then stop and remove it all
	local d
	d=$(run_ctr "$p" phoenix d -- sleep 1000)
	[ "$(ctr_state "$d")" = CONTAINER_RUNNING ]
	run cri stop -t 1 "$c"
	[ "$status" -eq 0 ]
	! kill -0 "$pid" 2>/dev/null
	run cri stopp "$p"
	[ "$status" -eq 0 ]
	run cri rmp "$p"
	[ "$status" -eq 0 ]
	[ -z "$(cri pods)" ]
	local i
	for i in $(seq 50); do
		kill -0 "$shim" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$shim" 2>/dev/null
}

@test "CRI StopPodSandbox and RemovePodSandbox leave nothing: no shim, cgroup, netns, mount, state, veth" {
	local p a b netns shim i
	p=$(runp gone)
	a=$(run_ctr "$p" gone a -- sleep 1000)
	b=$(run_ctr "$p" gone b -- sh -c 'sleep 1000 & sleep 1001')
	netns=$(cri inspectp "$p" | jq -r '.info.info.runtimeSpec.linux.namespaces[] | select(.type == "network") | .path')
	[[ $netns == "$CD/state/"* ]]
	[ -e "$netns" ]
	shim=$(pgrep -f -- "-id $p -address $CD/containerd.sock")
	[ -n "$shim" ]
	[ -n "$(find /sys/fs/cgroup/pids/$CG/gone -mindepth 1 -type d)" ]
	run cri stopp "$p"
	[ "$status" -eq 0 ]
	[ "$(ctr_state "$a")" = CONTAINER_EXITED ]
	[ "$(ctr_state "$b")" = CONTAINER_EXITED ]
	[ "$(cri inspectp "$p" | jq -r .status.state)" = SANDBOX_NOTREADY ]
	# the network is torn down at stop: no veth on the bridge, no netns
	[ -z "$(ip -o link show master "$CRI_BRIDGE")" ]
	[ ! -e "$netns" ]
	run cri rmp "$p"
	[ "$status" -eq 0 ]
	[ -z "$(cri pods)" ]
	for i in $(seq 50); do
		kill -0 "$shim" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$shim" 2>/dev/null
	[ -z "$(pgrep -f -- "$p")" ]
	# no cgroup below the pod's parent in any hierarchy
	[ -z "$(find /sys/fs/cgroup/*/$CG/gone -mindepth 1 -type d 2>/dev/null)" ]
	# no mount of the pod (rootfs, shm, netns), no runtime state
	[ -z "$(grep -e "$p" -e "$a" -e "$b" /proc/self/mountinfo)" ]
	# (brig keeps its compiled seccomp filters in <root>/.seccomp-cache)
	[ -z "$(ls "$CD/rt-$CRI_HANDLER/k8s.io" 2>/dev/null)" ]
	[ -z "$(ls -A "$CD/state/io.containerd.grpc.v1.cri/netns" 2>/dev/null)" ]
	# host-local released the address
	[ -z "$(ls "$CD/ipam/$CRI_BRIDGE" 2>/dev/null | grep -v -e last_reserved_ip -e lock)" ]
}
