#!/usr/bin/env bats
# What the container sees of its namespaces.

load helpers

setup() { setup_bundle; }
teardown() {
	[ -n "${NETNS:-}" ] && ip netns delete "$NETNS" 2>/dev/null
	teardown_bundle
}

# ns_inode TYPE [PID] — inode of /proc/PID/ns/TYPE (default: this shell).
ns_inode() { stat -L -c %i "/proc/${2:-self}/ns/$1"; }

@test "uts: hostname and domainname are the container's" {
	update_config '.hostname = "brig-host" | .domainname = "brig.example"'
	run_sh 'hostname; cat /proc/sys/kernel/domainname; uname -n'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = brig-host ]
	[ "${lines[1]}" = brig.example ]
	[ "${lines[2]}" = brig-host ]
	# The host kept its own.
	[ "$(hostname)" != brig-host ]
	[ "$(cat /proc/sys/kernel/domainname)" != brig.example ]
}

@test "pid: the process is PID 1 and sees only its own processes" {
	run_sh 'echo $$; ls /proc | grep -c "^[0-9]"; cat /proc/1/cmdline | tr "\0" " "'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	# sh, ls, grep, cat at most — not the host's hundreds.
	[ "${lines[1]}" -le 5 ]
	[[ ${lines[2]} == "sh -c "* ]]
}

@test "every namespace in the config is new, none is the host's" {
	update_config '.linux.namespaces |= map(select(.type != "cgroup"))'
	local t types
	types=$(jq -r '.linux.namespaces[].type' "$BUNDLE/config.json" |
		sed 's/^mount$/mnt/; s/^network$/net/')
	local script=""
	for t in $types; do
		script+="echo $t \$(stat -L -c %i /proc/self/ns/$t); "
	done
	run_sh "$script"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -ge 5 ]
	local line
	for line in "${lines[@]}"; do
		set -- $line
		[ "$2" != "$(ns_inode "$1")" ] || {
			echo "namespace $1 is the host's"
			false
		}
	done
}

@test "mount: a mount table of its own" {
	run_sh 'cat /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	# The root is the bundle's rootfs; /proc is a fresh procfs.
	grep -E '^[0-9]+ [0-9]+ [0-9]+:[0-9]+ [^ ]+ / ' <<<"$output"
	grep -E ' /proc [^ ]+.* - proc ' <<<"$output"
	# None of the host's mount points shows (the host's root would have the
	# container's mount points under its own path).
	! awk '{print $5}' <<<"$output" | grep -F "$TESTDIR" || false
	! awk '{print $5}' <<<"$output" | grep -E '^/tmp/' || false
	# And the container's mounts do not show on the host.
	! grep -F "$BUNDLE/rootfs/proc" /proc/self/mountinfo || false
}

@test "net: a new network namespace has only lo" {
	run_sh 'cat /proc/net/dev; echo --; ls /sys/class/net'
	[ "$status" -eq 0 ]
	# Interface names are the lines "  name: counters...".
	local ifaces
	ifaces=$(sed -n 's/^ *\([^ |]*\):.*/\1/p' <<<"$output" | tr '\n' ' ')
	[ "$ifaces" = "lo " ]
	# sysfs is the container's network namespace's too.
	[ "${lines[-1]}" = lo ]
	[ "${lines[-2]}" = -- ]
}

@test "ipc: host SysV objects are invisible" {
	local id
	id=$(ipcmk -Q 2>/dev/null | awk '{print $NF}') || skip "ipcmk not available"
	[ -n "$id" ]
	run_sh 'cat /proc/sysvipc/msg | wc -l'
	ipcrm -q "$id"
	[ "$status" -eq 0 ]
	# Only the header line.
	[ "$output" -eq 1 ]
}

@test "joins an existing network namespace by path" {
	command -v ip >/dev/null || skip "iproute2 not installed"
	NETNS=brigtest-$RANDOM$RANDOM
	ip netns add "$NETNS"
	ip netns exec "$NETNS" ip link set lo up
	add_namespace network "/var/run/netns/$NETNS"
	run_sh 'stat -L -c %i /proc/self/ns/net; ip link show lo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(stat -L -c %i "/var/run/netns/$NETNS")" ]
	# lo was brought up from the host side: the container sees it up.
	[[ ${lines[1]} == *"<LOOPBACK,UP"* ]]
}

@test "joins another container's uts namespace by /proc path" {
	share_dir
	update_config '.hostname = "alpha"'
	set_args sh -c 'echo up >/shared/up; exec sleep 100'
	run_detached "$CID-a"
	wait_file "$SHARED/up"
	local pid
	pid=$(state_field "$CID-a" pid)

	update_config 'del(.hostname)'
	add_namespace uts "/proc/$pid/ns/uts"
	run_sh 'hostname; stat -L -c %i /proc/self/ns/uts'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = alpha ]
	[ "${lines[1]}" = "$(ns_inode uts "$pid")" ]
}

@test "cgroup: a cgroup namespace makes the container's cgroup its root" {
	add_namespace cgroup
	run_sh 'cat /proc/self/cgroup'
	[ "$status" -eq 0 ]
	local line
	for line in "${lines[@]}"; do
		[[ $line == *:/ ]]
	done
}

@test "user: uid and gid maps, and files owned by mapped ids" {
	[ -e /proc/self/ns/user ] || skip "no user namespaces"
	add_namespace user
	update_config '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	# The rootfs belongs to the mapped root; one file to mapped 1000:1000,
	# one stays host-root (unmapped inside: the overflow id 65534).
	chown -R -h 100000:100000 "$BUNDLE/rootfs"
	chown -h 101000:101000 "$BUNDLE/rootfs/home/user"
	touch "$BUNDLE/rootfs/etc/hostowned"
	chown 0:0 "$BUNDLE/rootfs/etc/hostowned"
	run_sh 'cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g
		stat -c %u:%g /bin/busybox /home/user /etc/hostowned'
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 100000 65536" ]
	[ "$(echo ${lines[1]})" = "0 100000 65536" ]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" = 0 ]
	[ "${lines[4]}" = 0:0 ]
	[ "${lines[5]}" = 1000:1000 ]
	[ "${lines[6]}" = 65534:65534 ]
}

@test "user: the container's root is unprivileged on the host" {
	add_namespace user
	update_config '.linux.uidMappings = [{containerID: 0, hostID: 200000, size: 1000}]
		| .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 1000}]'
	chown -R -h 200000:200000 "$BUNDLE/rootfs"
	share_dir
	chmod 755 "$SHARED"
	set_args sh -c 'echo up >/shared/up; exec sleep 100'
	run_detached "$CID"
	local pid
	pid=$(state_field "$CID" pid)
	# Seen from the host, the process runs as the mapped uid.
	for _ in $(seq 100); do
		[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = 200000 ] && break
		sleep 0.05
	done
	[ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = 200000 ]
	# ...which cannot write into a host-root-owned 755 directory.
	[ ! -e "$SHARED/up" ]
}

@test "time: boottime and monotonic offsets" {
	[ -e /proc/self/ns/time ] || skip "no time namespaces"
	add_namespace time
	update_config '.linux.timeOffsets = {boottime: {secs: 86400, nanosecs: 0}, monotonic: {secs: 3600, nanosecs: 0}}'
	local before
	before=$(cut -d. -f1 /proc/uptime)
	run_sh 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime'
	[ "$status" -eq 0 ]
	grep -E '^monotonic +3600 +0$' <<<"$output"
	grep -E '^boottime +86400 +0$' <<<"$output"
	local inside=${lines[-1]}
	[ "$inside" -ge $((before + 86400)) ]
	[ "$inside" -le $((before + 86400 + 30)) ]
}

@test "a pid namespace joined by path: the container sees its neighbour's processes, exec and delete work" {
	share_dir
	set_args sh -c 'echo $$ >/shared/a.pid; exec sleep 1000'
	run_detached "$CID"
	wait_file "$SHARED/a.pid"
	local apid
	apid=$(state_field "$CID" pid)
	# B: its /proc is the shared namespace's, its pid is not 1
	set_args sh -c 'echo $$; ps -o pid,args | grep -c "sleep 1000"; readlink /proc/1/exe; sleep 1000'
	add_namespace pid "/proc/$apid/ns/pid"
	run_detached "$CID-b"
	local bpid i
	bpid=$(state_field "$CID-b" pid)
	for i in $(seq 100); do [ -s "$TESTDIR/$CID-b.out" ] && [ "$(wc -l <"$TESTDIR/$CID-b.out")" -ge 2 ] && break; sleep 0.05; done
	cat "$TESTDIR/$CID-b.out" >&2
	[ "$(readlink "/proc/$bpid/ns/pid")" = "$(readlink "/proc/$apid/ns/pid")" ]
	[ "$(sed -n 1p "$TESTDIR/$CID-b.out")" -gt 1 ]
	[ "$(sed -n 2p "$TESTDIR/$CID-b.out")" -ge 1 ]
	# exec into B sees A's process too, and B's init is what state says
	run --separate-stderr brig exec "$CID-b" sh -c 'ps -o args | grep -c "^sleep 1000"'
	[ "$status" -eq 0 ]
	[ "$output" -eq 2 ]
	brig delete -f "$CID-b"
	proc_alive "$apid"
	! proc_alive "$bpid" || false
	brig delete -f "$CID"
}

@test "the host's pid namespace joined by path, a neighbour's, as a CRI hostPID pod (issue 18)" {
	# containerd names the pause container's pid namespace, the host's;
	# here the host's init cannot be read even by root (more capabilities
	# than root's): the check of the neighbour's /proc must not need it.
	set_args sleep 1000
	remove_namespace pid
	run_detached "$CID"
	local apid
	apid=$(state_field "$CID" pid)
	set_args sh -c 'readlink /proc/self/ns/pid; test -d /proc/'"$$"' && echo sees-the-host'
	add_namespace pid "/proc/$apid/ns/pid"
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID-b"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(readlink /proc/self/ns/pid)" ]
	[ "${lines[1]}" = sees-the-host ]
	brig delete -f "$CID"
}

@test "network: a new network namespace has its loopback up, as runc (issue 18, item 6)" {
	run_sh 'cat /sys/class/net/lo/flags; ls /sys/class/net'
	[ "$status" -eq 0 ]
	# IFF_UP (0x1) with IFF_LOOPBACK (0x8)
	[ $((lines[0] & 1)) -eq 1 ]
	[ "${lines[1]}" = lo ]
}

@test "uts: a hostname without a uts namespace of the container's own is refused, as runc (issue 18, item 10)" {
	local before
	before=$(hostname)
	remove_namespace uts
	update_config '.hostname = "brig-renamed-the-host"'
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	local after
	after=$(hostname)
	hostname "$before" # b288b02 renamed the host: put it back first
	[ "$after" = "$before" ]
	[ "$status" -ne 0 ]
	assert_error_line
	is_runc || [[ $stderr == *"config.json: hostname: needs a uts namespace"* ]]
	assert_nothing_left "$CID"
}
