# tests/vm-systemd/hybrid.bash — the systemd cgroup driver on a hybrid
# host (the VM booted with systemd.unified_cgroup_hierarchy=0: v1
# controllers under /sys/fs/cgroup/<controller>, systemd's own tree at
# /sys/fs/cgroup/unified), the layout of older hosts like brig's
# development machine.  Uses lifecycle.bash's rt, make_bundle,
# start_ctr, show and diag.
#
#   hybrid_checks runc|brig

# v1 DIR of the container's unit in controller CTRL
v1dir() { echo "$CG/$1/system.slice/$UNIT"; }

h_layout() {
	[ -d "$CG/memory" ] && [ -d "$CG/unified" ] ||
		{ echo "not a hybrid host: $(ls $CG)"; return 1; }
}

h_scope() {
	local pid r=0
	start_ctr "$ID" || return 1
	pid=$(pid_of "$ID")
	want ActiveState "$(show "$UNIT" ActiveState)" active || r=1
	# v1 names on v1, as runc sends them
	want MemoryLimit "$(show "$UNIT" MemoryLimit)" 67108864 || r=1
	want TasksMax "$(show "$UNIT" TasksMax)" 64 || r=1
	want memory.limit_in_bytes "$(cat "$(v1dir memory)/memory.limit_in_bytes")" 67108864 || r=1
	want pids.max "$(cat "$(v1dir pids)/pids.max")" 64 || r=1
	want cpu.cfs_quota_us "$(cat "$(v1dir cpu)/cpu.cfs_quota_us")" 50000 || r=1
	# the init in the unit's cgroup of every hierarchy, also those
	# systemd leaves alone (freezer, cpuset: made by the runtime)
	for c in memory pids freezer cpuset; do
		grep -q "[:,]$c[,:].*/system.slice/$UNIT\$" /proc/$pid/cgroup ||
			{ echo "$c: $(grep "[:,]$c[,:]" /proc/$pid/cgroup)"; r=1; }
	done
	[ $r -eq 0 ] || diag "$UNIT"
	return $r
}

h_reload() {
	systemctl daemon-reload || return 1
	want "memory.limit_in_bytes after daemon-reload" \
		"$(cat "$(v1dir memory)/memory.limit_in_bytes")" 67108864
}

h_update_pause() {
	local r=0
	rt update --memory 134217728 --pids-limit 100 "$ID" || return 1
	want MemoryLimit "$(show "$UNIT" MemoryLimit)" 134217728 || r=1
	want memory.limit_in_bytes "$(cat "$(v1dir memory)/memory.limit_in_bytes")" 134217728 || r=1
	want pids.max "$(cat "$(v1dir pids)/pids.max")" 100 || r=1
	rt pause "$ID" || return 1
	want freezer.state "$(cat "$(v1dir freezer)/freezer.state")" FROZEN || r=1
	rt resume "$ID" || return 1
	want freezer.state "$(cat "$(v1dir freezer)/freezer.state")" THAWED || r=1
	return $r
}

h_delete() {
	local left i
	rt delete --force "$ID" || return 1
	for i in $(seq 50); do # systemd collects an empty scope: a moment
		systemctl list-units --all --no-legend "$UNIT" | grep -q . ||
			[ -n "$(find $CG -maxdepth 4 -name "$UNIT" 2>/dev/null)" ] || break
		sleep 0.1
	done
	if systemctl list-units --all --no-legend "$UNIT" | grep -q .; then
		echo "unit left: $(systemctl list-units --all --no-legend "$UNIT")"
		return 1
	fi
	left=$(find $CG -maxdepth 4 -name "$UNIT" 2>/dev/null)
	[ -z "$left" ] || { echo "cgroups left: $left"; return 1; }
}

hybrid_checks() {
	RT=$1
	RT_BIN=$(command -v "$RT")
	[ "$RT" = brig ] && RT_BIN=$BRIG
	ID=$RT-hyb
	UNIT=$RT-$ID.scope
	B=/tmp/vmsd-hybrid-$RT
	check "$RT: hybrid: v1 controllers and systemd's unified tree" h_layout || return
	make_bundle "$B" "system.slice:$RT:$ID" || { check "$RT: hybrid: bundle" false; return; }
	check "$RT: hybrid: the scope, v1 property names, the files in every hierarchy" h_scope
	check "$RT: hybrid: the limits survive systemctl daemon-reload" h_reload
	check "$RT: hybrid: update sets properties and files; pause/resume through the freezer" h_update_pause
	check "$RT: hybrid: delete leaves no unit and no cgroup in any hierarchy" h_delete
	rt delete --force "$ID" >/dev/null 2>&1
	rm -rf "$B"
}
