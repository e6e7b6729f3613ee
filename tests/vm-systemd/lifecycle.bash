# tests/vm-systemd/lifecycle.bash — the systemd cgroup driver of one
# runtime (RT: runc, the oracle, or brig), as root: scopes, their
# properties and cgroup files, update, pause, exec, kill, delete, bad
# cgroupsPaths and (brig only) a create killed at each fault point.
#
#   lifecycle_checks runc|brig

CG=/sys/fs/cgroup

# rt ARGS... — the runtime under test with the systemd driver and a state
# root of its own.
rt() { timeout -k 5 60 "$RT_BIN" --root "/run/vmsd-$RT" --systemd-cgroup "$@"; }

# make_bundle DIR CGROUPS_PATH [JQ-FILTER] — a busybox bundle running
# `sleep 1000` with the limits the checks look for, no cgroup namespace
# (so /proc/self/cgroup shows the host's path).
make_bundle() {
	local dir=$1 cgpath=$2 filter=${3:-.}
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -a "$ROOTFS" "$dir/rootfs"
	(cd "$dir" && runc spec) || return 1
	jq --arg cg "$cgpath" '
		.process.args = ["sleep", "1000"] | .process.terminal = false
		| .linux.cgroupsPath = $cg
		| .linux.namespaces |= map(select(.type != "cgroup"))
		| .linux.resources.memory = {limit: 67108864}
		| .linux.resources.pids = {limit: 64}
		| .linux.resources.cpu = {shares: 1024, quota: 50000, period: 100000, cpus: "0"}' \
		"$dir/config.json" | jq "$filter" >"$dir/config.json.new" &&
		mv "$dir/config.json.new" "$dir/config.json"
}

# start_ctr ID — create and start ID from $B; the container's stdio is
# /dev/null so no caller's pipe stays open.
start_ctr() {
	rt create --bundle "$B" "$1" </dev/null >/dev/null 2>"$B/create.err" ||
		{ echo "create $1 failed:"; cat "$B/create.err"; return 1; }
	rt start "$1" || return 1
}

status_of() { rt state "$1" 2>/dev/null | jq -r .status; }
pid_of() { rt state "$1" 2>/dev/null | jq -r .pid; }

show() { systemctl show -p "$2" --value "$1"; }

# diag UNIT — what systemd says about UNIT, for the TAP.
diag() {
	systemctl status --no-pager "$1" 2>&1 | head -n 20
}

# no_trace ID UNIT CGDIR — nothing of the container is left: no unit, no
# cgroup directory, no state.
no_trace() {
	local id=$1 unit=$2 dir=$3 units i
	# a scope left empty is systemd's to collect (brig's delete does not
	# wait for that, runc's does): a moment, under TCG up to seconds
	for i in $(seq 50); do
		units=$(systemctl list-units --all --plain --no-legend "$unit" 2>&1)
		[ -z "$units" ] && [ ! -e "$dir" ] && break
		sleep 0.1
	done
	units=$(systemctl list-units --all --plain --no-legend "$unit" 2>&1)
	[ -z "$units" ] || { echo "unit left: $units"; return 1; }
	[ ! -e "$dir" ] || { echo "cgroup left: $dir"; return 1; }
	! rt state "$id" >/dev/null 2>&1 || { echo "state left for $id"; return 1; }
}

# -------------------------------------------------------------- checks

c_scope_active() {
	start_ctr "$ID" || return 1
	want "state" "$(status_of "$ID")" running || return 1
	systemctl is-active --quiet "$UNIT" || { diag "$UNIT"; return 1; }
	grep -qx "$(pid_of "$ID")" "$DIR/cgroup.procs" ||
		{ echo "pid $(pid_of "$ID") not in $DIR/cgroup.procs"; cat "/proc/$(pid_of "$ID")/cgroup"; return 1; }
}

# The properties config.json asked for: memory 64 MiB, 64 tasks,
# cpu.shares 1024 (CPUWeight 39 by the OCI v1 -> v2 conversion
# 1 + (shares - 2) * 9999 / 262142), quota 50 ms a 100 ms period (500 ms
# a second), cpus 0, and the scope delegated.
c_properties() {
	local r=0
	want MemoryMax "$(show "$UNIT" MemoryMax)" 67108864 || r=1
	want TasksMax "$(show "$UNIT" TasksMax)" 64 || r=1
	want CPUWeight "$(show "$UNIT" CPUWeight)" 39 || r=1
	want CPUQuotaPerSecUSec "$(show "$UNIT" CPUQuotaPerSecUSec)" 500ms || r=1
	want AllowedCPUs "$(show "$UNIT" AllowedCPUs)" 0 || r=1
	want Delegate "$(show "$UNIT" Delegate)" yes || r=1
	[ $r -eq 0 ] || diag "$UNIT"
	return $r
}

c_files() {
	local r=0
	want memory.max "$(cat "$DIR/memory.max")" 67108864 || r=1
	want pids.max "$(cat "$DIR/pids.max")" 64 || r=1
	want cpu.weight "$(cat "$DIR/cpu.weight")" 39 || r=1
	want cpu.max "$(cat "$DIR/cpu.max")" "50000 100000" || r=1
	want cpuset.cpus "$(cat "$DIR/cpuset.cpus")" 0 || r=1
	return $r
}

c_daemon_reload() {
	systemctl daemon-reload || return 1
	c_properties && c_files
}

# The device rules (runc's spec: the usual nodes only), held through the
# unit (DevicePolicy=strict and DeviceAllow: systemd's device program,
# the only one brig leaves on the scope then) and after a daemon-reload,
# which makes systemd load it again: /dev/zero reads; of two nodes made
# in the rootfs from the host, one of /dev/mem's numbers (1:1) is
# refused by the device rules, one of a pty's (136:0, "char-136" to
# systemd) is not (opened outside a devpts, the pty driver refuses it,
# with an error of its own).
devices_held() {
	local out
	out=$(rt exec "$ID" sh -c 'head -c1 /dev/zero | wc -c
		(: </mem) 2>&1 | grep -c "not permitted"
		(: </pts0) 2>&1 | grep -c "not permitted"; true') || return 1
	want "$1: /dev/zero read, /mem refused, /pts0 allowed" "$(echo $out)" "1 1 0"
}

c_devices() {
	local r=0
	mknod "$B/rootfs/mem" c 1 1 && mknod "$B/rootfs/pts0" c 136 0 || return 1
	devices_held "started" || r=1
	systemctl daemon-reload
	devices_held "after daemon-reload" || r=1
	rm -f "$B/rootfs/mem" "$B/rootfs/pts0"
	return $r
}

c_update() {
	local r=0
	rt update --memory 134217728 --pids-limit 100 "$ID" || return 1
	want MemoryMax "$(show "$UNIT" MemoryMax)" 134217728 || r=1
	want TasksMax "$(show "$UNIT" TasksMax)" 100 || r=1
	want memory.max "$(cat "$DIR/memory.max")" 134217728 || r=1
	want pids.max "$(cat "$DIR/pids.max")" 100 || r=1
	# and it holds after a reload
	systemctl daemon-reload
	want "memory.max after daemon-reload" "$(cat "$DIR/memory.max")" 134217728 || r=1
	return $r
}

c_pause_resume() {
	local r=0
	rt pause "$ID" || return 1
	want "paused: state" "$(status_of "$ID")" paused || r=1
	want "paused: cgroup.freeze" "$(cat "$DIR/cgroup.freeze")" 1 || r=1
	rt resume "$ID" || return 1
	want "resumed: state" "$(status_of "$ID")" running || r=1
	want "resumed: cgroup.freeze" "$(cat "$DIR/cgroup.freeze")" 0 || r=1
	return $r
}

c_ps() {
	local pids
	pids=$(rt ps --format json "$ID") || return 1
	echo "$pids" | jq -e --argjson p "$(pid_of "$ID")" 'index($p) != null' >/dev/null ||
		{ echo "ps: $pids, init is $(pid_of "$ID")"; return 1; }
}

c_events_stats() {
	local out
	out=$(rt events --stats "$ID") || return 1
	# the figures of the scope's cgroup: the memory limit memory.max holds
	echo "$out" | jq -e --argjson max "$(cat "$DIR/memory.max")" \
		'.type == "stats" and .data.pids.current >= 1 and .data.memory.usage.limit == $max' >/dev/null ||
		{ echo "events --stats: $out"; echo "memory.max: $(cat "$DIR/memory.max")"; return 1; }
}

c_exec_cgroup() {
	local out
	out=$(rt exec "$ID" cat /proc/self/cgroup) || return 1
	want "exec's /proc/self/cgroup" "$out" "0::/$REL" || return 1
	# and a detached one, for kill --all
	rt exec -d "$ID" sleep 999 </dev/null >/dev/null 2>&1 || return 1
	want "processes in the scope" "$(wc -l <"$DIR/cgroup.procs")" 2
}

c_kill_all() {
	local i
	rt kill --all "$ID" KILL || return 1
	for i in $(seq 50); do
		[ -z "$(cat "$DIR/cgroup.procs" 2>/dev/null)" ] && break
		sleep 0.1
	done
	want "cgroup.procs after kill --all" "$(cat "$DIR/cgroup.procs" 2>/dev/null)" "" || return 1
	for i in $(seq 50); do
		[ "$(status_of "$ID")" = stopped ] && break
		sleep 0.1
	done
	want state "$(status_of "$ID")" stopped
}

c_delete() {
	rt delete "$ID" || return 1
	no_trace "$ID" "$UNIT" "$DIR"
}

# one_shot ID CGPATH UNIT DIR [FILTER] [WHAT] — a container on CGPATH:
# its unit UNIT active with the cgroup DIR, and nothing left after
# delete --force.  WHAT: an extra check run while it lives.
one_shot() {
	local id=$1 cgpath=$2 unit=$3 dir=$4 filter=${5:-.} what=${6:-true} r=0
	make_bundle "$B" "$cgpath" "$filter" || return 1
	start_ctr "$id" || return 1
	systemctl is-active --quiet "$unit" || { diag "$unit"; r=1; }
	[ -d "$dir" ] || { echo "no $dir; the init's cgroup: $(cat "/proc/$(pid_of "$id")/cgroup")"; r=1; }
	$what "$unit" || r=1
	rt delete --force "$id" || r=1
	no_trace "$id" "$unit" "$dir" || r=1
	return $r
}

# With a cgroup namespace (as Docker, Podman and containerd ask for), the
# container's own view: /proc/self/cgroup is its root, and that root is
# the scope, with the scope's limits — the namespace is made once the init
# is in the scope, not before.
c_cgroupns_view() {
	local id=$RT-cgns out r=0
	make_bundle "$B" "system.slice:brig:$id" '.linux.namespaces += [{type: "cgroup"}]
		| .process.args = ["sh", "-c", "cat /proc/self/cgroup /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max"]' ||
		return 1
	out=$(rt run --bundle "$B" "$id" </dev/null 2>"$B/err") || { cat "$B/err"; r=1; }
	want "inside: /proc/self/cgroup, memory.max, pids.max" "$out" "$(printf '0::/\n67108864\n64')" || r=1
	rt delete --force "$id" >/dev/null 2>&1
	return $r
}

timeout_stop() {
	want TimeoutStopUSec "$(show "$1" TimeoutStopUSec)" "2min 3s"
}

# brig: where the scope's slice exists, the init is born in the scope's
# cgroup, made by brig before the unit (--debug says so), and systemd
# makes the unit around it: active, the init in it, nothing left after.
c_born_in_scope() {
	local id=brig-born unit=brig-brig-born.scope r=0
	make_bundle "$B" "system.slice:brig:$id" || return 1
	rt --debug create --bundle "$B" "$id" </dev/null >/dev/null 2>"$B/create.err" ||
		{ cat "$B/create.err"; return 1; }
	grep -q "born in the scope's cgroup" "$B/create.err" ||
		{ echo "no debug line on the init's birth:"; cat "$B/create.err"; r=1; }
	# runc's default rules, which systemd's DeviceAllow says exactly
	grep -q "systemd's device program holds the device rules" "$B/create.err" ||
		{ echo "no debug line on the device program:"; cat "$B/create.err"; r=1; }
	systemctl is-active --quiet "$unit" || { diag "$unit"; r=1; }
	grep -qx "$(pid_of "$id")" "$CG/system.slice/$unit/cgroup.procs" ||
		{ echo "the init is not in $unit"; r=1; }
	rt delete --force "$id" || r=1
	no_trace "$id" "$unit" "$CG/system.slice/$unit" || r=1
	return $r
}

# createContainer and prestart hooks run once the scope's files hold the
# limits (runc sets them before its hooks; brig's init, born in the scope
# before the unit, waits for them).
c_hooks_see_limits() {
	local id=$RT-hooks unit dir out=/tmp/vmsd-hooks-$RT r=0
	unit=brig-$id.scope dir=$CG/system.slice/brig-$id.scope
	rm -f "$out".*
	make_bundle "$B" "system.slice:brig:$id" ".hooks = {
		prestart: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"cat $dir/pids.max $dir/memory.max >$out.prestart\"]}],
		createContainer: [{path: \"/bin/sh\", args: [\"sh\", \"-c\", \"cat $dir/pids.max $dir/memory.max >$out.cc\"]}]}" ||
		return 1
	start_ctr "$id" || return 1
	want "prestart hook's pids.max, memory.max" "$(tr '\n' ' ' <"$out.prestart")" "64 67108864 " || r=1
	want "createContainer hook's pids.max, memory.max" "$(tr '\n' ' ' <"$out.cc")" "64 67108864 " || r=1
	rt delete --force "$id" || r=1
	no_trace "$id" "$unit" "$dir" || r=1
	rm -f "$out".*
	return $r
}

# brig: a create that fails once the init is born in the scope's cgroup
# (the init's id maps refused by the kernel: two uid ranges overlap)
# leaves no unit and no cgroup, and the name usable again.
c_failed_after_send() {
	local id=brig-sendfail unit=brig-brig-sendfail.scope r=0 i
	make_bundle "$B" "system.slice:brig:$id" '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 100},
					{containerID: 50, hostID: 200000, size: 100}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]' || return 1
	for i in 1 2 3 4 5 6 7 8; do
		! rt create --bundle "$B" "$id" </dev/null >/dev/null 2>&1 ||
			{ echo "create with overlapping uid ranges succeeded"; r=1; }
		rt delete --force "$id" >/dev/null 2>&1
	done
	no_trace "$id" "$unit" "$CG/system.slice/$unit" || r=1
	make_bundle "$B" "system.slice:brig:$id" || return 1
	start_ctr "$id" || r=1
	rt delete --force "$id" || r=1
	no_trace "$id" "$unit" "$CG/system.slice/$unit" || r=1
	return $r
}

# A process the container moved into a sub-cgroup of its (delegated)
# scope still counts: with the host's pid namespace it outlives the init,
# and delete must not take the scope for empty (its own cgroup.procs is)
# and leave the unit, the cgroup and the process to systemd.
c_subcgroup_delete() {
	local id=$RT-sub unit dir pid moved= r=0 i
	unit=brig-$id.scope dir=$CG/system.slice/brig-$id.scope
	make_bundle "$B" "system.slice:brig:$id" '.linux.namespaces |= map(select(.type != "pid"))' ||
		return 1
	start_ctr "$id" || return 1
	rt exec -d "$id" sleep 999 </dev/null >/dev/null 2>&1 || { echo "exec failed"; r=1; }
	mkdir "$dir/sub" || r=1
	for pid in $(cat "$dir/cgroup.procs"); do
		[ "$pid" = "$(pid_of "$id")" ] || echo "$pid" >"$dir/sub/cgroup.procs" || r=1
	done
	moved=$(cat "$dir/sub/cgroup.procs")
	[ -n "$moved" ] || { echo "nothing moved into $dir/sub"; r=1; }
	kill -9 "$(pid_of "$id")"
	for i in $(seq 50); do
		[ "$(status_of "$id")" = stopped ] && break
		sleep 0.1
	done
	rt delete "$id" || { echo "(delete: status $?)"; r=1; }
	no_trace "$id" "$unit" "$dir" || { diag "$unit"; r=1; }
	for pid in $moved; do
		! kill -0 "$pid" 2>/dev/null || { echo "process $pid left running"; kill -9 "$pid"; r=1; }
	done
	return $r
}

c_default_unit() {
	local id=$RT-dflt
	one_shot "$id" "" "$RT-$id.scope" "$CG/system.slice/$RT-$id.scope"
}

c_nested_slice() {
	one_shot "$RT-nest" "a-b.slice:p:$RT-nest" "p-$RT-nest.scope" \
		"$CG/a.slice/a-b.slice/p-$RT-nest.scope"
}

c_annotation() {
	local id=$RT-anno
	one_shot "$id" "system.slice:brig:$id" "brig-$id.scope" \
		"$CG/system.slice/brig-$id.scope" \
		'.annotations["org.systemd.property.TimeoutStopUSec"] = "uint64 123000000"' timeout_stop
}

# bad_path CGPATH — create refuses it: non-zero exit, an error (one line
# for brig, apart from warnings), no unit, no state.
bad_path() {
	local id=$RT-bad r=0 n units
	make_bundle "$B" "$1" || return 1
	if rt create --bundle "$B" "$id" </dev/null >/dev/null 2>"$B/err"; then
		echo "create on cgroupsPath '$1' succeeded"
		r=1
	fi
	cat "$B/err"
	# (runc spec's ambient capabilities draw warnings of brig's: not counted)
	n=$(grep -v -c '^brig: warning:' "$B/err")
	[ "$n" -ge 1 ] || { echo "no error message"; r=1; }
	if [ "$RT" = brig ] && [ "$n" -ne 1 ]; then
		echo "brig printed $n error lines, want one"
		r=1
	fi
	rt state "$id" >/dev/null 2>&1 && { echo "a container $id was left"; r=1; }
	rt delete --force "$id" >/dev/null 2>&1
	units=$(systemctl list-units --all --plain --no-legend '*bad*' 2>&1)
	[ -z "$units" ] || { echo "units left: $units"; r=1; }
	return $r
}

# fault_create POINT — brig SIGKILLs itself at POINT of create; delete
# --force then leaves nothing.
fault_create() {
	local id=brig-f-$1 unit dir r=0 rc
	unit=brig-$id.scope dir=$CG/system.slice/brig-$id.scope
	make_bundle "$B" "system.slice:brig:$id" || return 1
	BRIG_FAULT=$1 rt create --bundle "$B" "$id" </dev/null >/dev/null 2>"$B/err"
	rc=$?
	echo "create with BRIG_FAULT=$1: status $rc, $(cat "$B/err")"
	# killed by its own SIGKILL (timeout passes 128 + 9 on)
	[ $rc -eq 137 ] || { echo "create was not killed at $1"; r=1; }
	rt delete --force "$id" || echo "(delete --force: status $?)"
	no_trace "$id" "$unit" "$dir" || { diag "$unit"; r=1; }
	return $r
}

lifecycle_checks() {
	RT=$1 RT_BIN=$(command -v "$1")
	B=/tmp/vmsd-bundle-$RT
	ID=$RT-life UNIT=brig-$RT-life.scope
	REL=system.slice/$UNIT DIR=$CG/system.slice/$UNIT
	if ! make_bundle "$B" "system.slice:brig:$ID"; then
		skip_check "$RT: lifecycle" "could not make the bundle"
		return
	fi
	check "$RT: create+start on system.slice:brig:<id>: $UNIT active, the init in it" c_scope_active
	check "$RT: systemctl show: MemoryMax, TasksMax, CPUWeight, CPUQuotaPerSecUSec, AllowedCPUs, Delegate as config.json asked" c_properties
	check "$RT: the scope's cgroup files hold the same limits" c_files
	check "$RT: the limits survive systemctl daemon-reload" c_daemon_reload
	check "$RT: devices: /dev/zero reads, a node of /dev/mem's numbers (1:1) does not open, one of a pty's (136:0) is not refused, also after daemon-reload" c_devices
	check "$RT: update --memory --pids-limit changes the unit's properties and the files" c_update
	check "$RT: pause/resume: cgroup.freeze 1 then 0" c_pause_resume
	check "$RT: ps --format json lists the init" c_ps
	check "$RT: events --stats prints the stats as JSON" c_events_stats
	check "$RT: exec lands in the scope's cgroup" c_exec_cgroup
	check "$RT: kill --all empties the scope" c_kill_all
	check "$RT: delete leaves no unit, no cgroup" c_delete
	rt delete --force "$ID" >/dev/null 2>&1
	check "$RT: with a cgroup namespace the container sees the scope as its root, with its limits" c_cgroupns_view
	check "$RT: prestart and createContainer hooks see the scope's limits in its files" c_hooks_see_limits
	if [ "$RT" = brig ]; then
		check "$RT: the init is born in the scope's cgroup, made before the unit; the unit active around it; systemd's device program, not a second one of brig's" c_born_in_scope
		check "$RT: a create failed once the init is born in the scope leaves no unit, and the name usable" c_failed_after_send
	fi
	check "$RT: a process moved into a sub-cgroup of the scope (host pid namespace): delete leaves no unit, cgroup or process" c_subcgroup_delete
	check "$RT: empty cgroupsPath: $RT-<id>.scope under system.slice, gone after delete" c_default_unit
	check "$RT: cgroupsPath a-b.slice:p:x: /sys/fs/cgroup/a.slice/a-b.slice/p-x.scope" c_nested_slice
	check "$RT: annotation org.systemd.property.TimeoutStopUSec=uint64 123000000 sets the unit's property" c_annotation
	check "$RT: cgroupsPath 'a:b' refused, nothing left" bad_path a:b
	check "$RT: cgroupsPath 'x.service:p:n' refused, nothing left" bad_path x.service:p:n
	local pt
	for pt in $BRIG_FAULT_POINTS; do
		if [ "$RT" = brig ]; then
			check "$RT: BRIG_FAULT=$pt kills create, delete --force leaves no unit, scope or cgroup" fault_create "$pt"
		else
			skip_check "$RT: a create killed at brig's fault point $pt" "BRIG_FAULT is brig's"
		fi
	done
	rm -rf "$B"
}
