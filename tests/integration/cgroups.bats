#!/usr/bin/env bats
# linux.resources on this host's cgroups (v1 controllers, hybrid), seen from
# inside the container (its cgroup namespace shows its own cgroup at
# /sys/fs/cgroup/<ctrl>/) and from the host (/sys/fs/cgroup/<ctrl>/brig/ID);
# and the commands built on cgroups: update, pause, resume, ps, events,
# kill --all.

load helpers

CG=/sys/fs/cgroup

setup() {
	setup_bundle
	[ -d $CG/memory ] || skip "needs cgroup v1 controllers (tests/vm covers v2)"
}
teardown() { teardown_bundle; }

# host_cg CTRL FILE — the container's file in the host's hierarchy.
host_cg() { cat "$CG/$1/brig/$CID/$2"; }

# A container that keeps counting in /shared/c and copies some of its
# cgroup files to /shared every 0.1 s.
counter() {
	share_dir
	# each file is replaced by a rename, so the test never reads one the
	# loop has just truncated
	set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i >/shared/c.t; mv /shared/c.t /shared/c
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes >/shared/mem.t; mv /shared/mem.t /shared/mem
		cat /sys/fs/cgroup/pids/pids.max >/shared/pids.t; mv /shared/pids.t /shared/pids
		cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us >/shared/quota.t; mv /shared/quota.t /shared/quota
		sleep 0.1; done'
}

@test "memory, cpu, cpuset and pids limits: inside and outside" {
	update_config '.linux.resources = {
		memory: {limit: 67108864, reservation: 33554432, swappiness: 10},
		cpu: {shares: 512, quota: 50000, period: 100000, cpus: "0", mems: "0"},
		pids: {limit: 42}}'
	run_sh 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes \
		/sys/fs/cgroup/memory/memory.soft_limit_in_bytes \
		/sys/fs/cgroup/memory/memory.swappiness \
		/sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpu/cpu.cfs_quota_us \
		/sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpuset/cpuset.cpus \
		/sys/fs/cgroup/pids/pids.max | tr "\n" " "'
	[ "$status" -eq 0 ]
	[ "$output" = "67108864 33554432 10 512 50000 100000 0 42 " ]
	assert_nothing_left "$CID"
}

@test "the host sees the limits under /sys/fs/cgroup/<ctrl>/brig/ID" {
	update_config '.linux.resources = {memory: {limit: 67108864},
		cpu: {shares: 256, quota: 20000}, pids: {limit: 17}}'
	set_args sleep 100
	run_detached "$CID"
	[ "$(host_cg memory memory.limit_in_bytes)" = 67108864 ]
	[ "$(host_cg cpu cpu.shares)" = 256 ]
	[ "$(host_cg cpu cpu.cfs_quota_us)" = 20000 ]
	[ "$(host_cg pids pids.max)" = 17 ]
	local pid
	pid=$(state_field "$CID" pid)
	grep -qx "$pid" "$CG/memory/brig/$CID/cgroup.procs"
	grep -q "^[0-9]*:memory:/brig/$CID\$" "/proc/$pid/cgroup"
	brig delete -f "$CID"
	assert_nothing_left "$CID"
}

@test "brig's /brig parent lets the kernel fill a new cpuset (clone_children)" {
	is_runc && skip "brig's own default parent"
	[ -d $CG/cpuset ] || skip "no v1 cpuset hierarchy"
	set_args sleep 100
	run_detached "$CID"
	run_detached "${CID}b"
	# set by the first container's create at the latest; the second's
	# cpus and mems were copied by the kernel at mkdir; the container's
	# own cgroup inherits the flag
	[ "$(cat $CG/cpuset/brig/cgroup.clone_children)" = 1 ]
	[ "$(cat $CG/cpuset/brig/${CID}b/cgroup.clone_children)" = 1 ]
	[ "$(cat $CG/cpuset/brig/${CID}b/cpuset.cpus)" = "$(cat $CG/cpuset/brig/cpuset.cpus)" ]
	[ "$(cat $CG/cpuset/brig/${CID}b/cpuset.mems)" = "$(cat $CG/cpuset/brig/cpuset.mems)" ]
	# a /brig made anew (the last container gone) gets the flag again,
	# unless other containers of this host keep the old one alive
	brig delete -f "${CID}b"
	brig delete -f "$CID"
	if [ ! -d $CG/cpuset/brig ]; then
		run_detached "$CID"
		[ "$(cat $CG/cpuset/brig/cgroup.clone_children)" = 1 ]
		[ -n "$(cat $CG/cpuset/brig/$CID/cpuset.cpus)" ]
	else
		run_detached "$CID"
	fi
	# linux.resources.cpu.cpus still wins over the copy
	update_config '.linux.resources.cpu.cpus = "0"'
	run_detached "${CID}b"
	[ "$(cat $CG/cpuset/brig/${CID}b/cpuset.cpus)" = 0 ]
	brig delete -f "${CID}b"
	brig delete -f "$CID"
	assert_nothing_left "$CID"
}

@test "pids.limit stops a fork bomb" {
	share_dir
	update_config '.linux.resources.pids.limit = 10'
	# the inner shell gives up at its first failed fork (ash does)
	set_args sh -c 'sh -c "for i in \$(seq 40); do sleep 1000 & done" 2>/shared/err
		echo finished >/shared/done; exec sleep 1000'
	run_detached "$CID"
	wait_file "$SHARED/done"
	cat "$SHARED/err" >&2
	grep -qi "fork" "$SHARED/err"
	# never more than the limit; most of the 40 sleeps never started
	local cur
	cur=$(host_cg pids pids.current)
	echo "# pids.current $cur" >&2
	[ "$cur" -le 10 ] && [ "$cur" -ge 8 ]
	[ "$(wc -l <"$CG/pids/brig/$CID/cgroup.procs")" -eq "$cur" ]
	[ "$(host_cg pids pids.max)" -eq 10 ]
	brig delete -f "$CID"
	assert_nothing_left "$CID"
}

@test "over its memory limit the process is OOM-killed (137) and events reports it" {
	update_config '.linux.resources.memory = {limit: 16777216}'
	[ -e $CG/memory/memory.memsw.limit_in_bytes ] &&
		update_config '.linux.resources.memory.swap = 16777216'
	set_args sh -c 'sleep 1; exec dd if=/dev/zero of=/dev/null bs=64M count=1'
	brig run --bundle "$BUNDLE" "$CID" </dev/null >"$TESTDIR/run.out" 2>&1 &
	local runpid=$! rc=0
	wait_status "$CID" running
	brig events --interval 200ms "$CID" >"$TESTDIR/events" 2>"$TESTDIR/events.err" &
	local evpid=$!
	wait "$runpid" || rc=$?
	echo "# run: $rc $(cat "$TESTDIR/run.out")" >&2
	[ "$rc" -eq 137 ]
	# events ends by itself once the container is gone
	for _ in $(seq 50); do kill -0 "$evpid" 2>/dev/null || break; sleep 0.1; done
	kill "$evpid" 2>/dev/null && { echo "events did not exit" >&2; false; }
	wait "$evpid" || true
	cat "$TESTDIR/events" "$TESTDIR/events.err" >&2
	grep -qx "{\"type\":\"oom\",\"id\":\"$CID\"}" "$TESTDIR/events"
	jq -e 'select(.type == "stats") | .data.memory.usage.limit == 16777216' \
		"$TESTDIR/events" | grep -q true
	assert_nothing_left "$CID"
}

@test "a CPU quota throttles: nr_throttled grows in cpu.stat and events" {
	update_config '.linux.resources.cpu = {quota: 10000, period: 100000}'
	set_args sh -c 'while :; do :; done'
	run_detached "$CID"
	sleep 1
	local thr
	thr=$(awk '$1 == "nr_throttled" {print $2}' "$CG/cpu/brig/$CID/cpu.stat")
	echo "# nr_throttled $thr" >&2
	[ "$thr" -gt 0 ]
	run --separate-stderr brig events --stats "$CID"
	[ "$status" -eq 0 ]
	jq -e '.data.cpu.throttling.throttledPeriods > 0 and
		.data.cpu.throttling.periods >= .data.cpu.throttling.throttledPeriods' <<<"$output"
	brig delete -f "$CID"
	assert_nothing_left "$CID"
}

@test "update changes the limits of a running container, seen inside" {
	counter
	update_config '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 20},
		cpu: {quota: 50000, period: 100000}}'
	run_detached "$CID"
	wait_file "$SHARED/quota"
	[ "$(cat "$SHARED/mem")" = 67108864 ]

	run --separate-stderr brig update --memory 128m --pids-limit 33 \
		--cpu-quota 20000 --cpu-share 300 --memory-reservation 1.5m \
		--kernel-memory 10m "$CID"
	[ "$status" -eq 0 ]
	[ "$(host_cg memory memory.limit_in_bytes)" = 134217728 ]
	[ "$(host_cg memory memory.soft_limit_in_bytes)" = 1572864 ]
	[ "$(host_cg pids pids.max)" = 33 ]
	[ "$(host_cg cpu cpu.cfs_quota_us)" = 20000 ]
	[ "$(host_cg cpu cpu.shares)" = 300 ]
	# the container's loop runs at 20% of a CPU now: give it time to
	# read the new values (up to 10 s), then check them
	local i
	for i in $(seq 100); do
		[ "$(cat "$SHARED/mem")" = 134217728 ] && [ "$(cat "$SHARED/pids")" = 33 ] &&
			[ "$(cat "$SHARED/quota")" = 20000 ] && break
		sleep 0.1
	done
	[ "$(cat "$SHARED/mem")" = 134217728 ]
	[ "$(cat "$SHARED/pids")" = 33 ]
	[ "$(cat "$SHARED/quota")" = 20000 ]

	# -r - : a resources JSON on stdin; the flags are then ignored
	run --separate-stderr brig update -r - --pids-limit 5 "$CID" \
		<<<'{"memory": {"limit": 100663296}, "pids": {"limit": 44}, "cpu": {"quota": -1}}'
	[ "$status" -eq 0 ]
	[ "$(host_cg memory memory.limit_in_bytes)" = 100663296 ]
	[ "$(host_cg pids pids.max)" = 44 ]
	[ "$(host_cg cpu cpu.cfs_quota_us)" = -1 ]
	echo '{"pids": {"limit": 55}}' >"$TESTDIR/res.json"
	brig update -r "$TESTDIR/res.json" "$CID"
	[ "$(host_cg pids pids.max)" = 55 ]
	# blkio weights need the BFQ scheduler (CFQ is gone): kernels without
	# it have no weight file, and the update says so in one line
	local wf=
	for f in blkio.bfq.weight blkio.weight; do
		[ -e "$CG/blkio/brig/$CID/$f" ] && wf=$f && break
	done
	run --separate-stderr brig update --blkio-weight 200 "$CID"
	if [ -n "$wf" ]; then
		[ "$status" -eq 0 ]
		[ "$(host_cg blkio "$wf" | awk '{print $NF; exit}')" = 200 ]
	else
		[ "$status" -eq 1 ]
		assert_error_line
		[[ $stderr == *"blockIO.weight: this kernel has no blkio weights"* ]]
	fi
	# unlimited again
	brig update --memory -1 --pids-limit -1 "$CID"
	[ "$(host_cg pids pids.max)" = max ]
	[ "$(host_cg memory memory.limit_in_bytes)" -gt 1000000000000 ]
	brig delete -f "$CID"
	assert_nothing_left "$CID"
}

@test "linux.resources.blockIO weight: set where the kernel has weights, else one line, nothing left" {
	update_config '.linux.resources.blockIO = {weight: 300}'
	set_args sleep 100
	run --separate-stderr brig create --bundle "$BUNDLE" "$CID"
	if [ "$status" -eq 0 ]; then
		local f
		f=$(ls "$CG/blkio/brig/$CID" | grep -xE 'blkio(\.bfq)?\.weight' | head -1)
		[ "$(host_cg blkio "$f" | awk '{print $NF; exit}')" = 300 ]
		brig delete -f "$CID"
	else
		[ "$status" -eq 1 ]
		assert_error_line
		[[ $stderr == *"linux.resources.blockIO.weight: this kernel has no blkio weights"* ]]
	fi
	assert_nothing_left "$CID"
}

@test "update: bad values and states are one clear error" {
	set_args sleep 100
	run_detached "$CID"
	run --separate-stderr brig update --memory 12x "$CID"
	[ "$status" -eq 1 ]
	assert_error_line
	[[ $stderr == *"--memory"*"12x"* ]]
	run --separate-stderr brig update --l3-cache-schema "L3:0=f" "$CID"
	[ "$status" -eq 1 ]
	assert_error_line
	[[ $stderr == *"Intel RDT"* ]]
	run --separate-stderr brig update --cpuset-cpus 99 "$CID"
	[ "$status" -eq 1 ]
	assert_error_line
	[[ $stderr == *"cpuset.cpus"* ]]
	run --separate-stderr brig update -r - "$CID" <<<'{"memory": {"limit": "x"}}'
	[ "$status" -eq 1 ]
	assert_error_line
	[[ $stderr == *"memory.limit"* ]]
	run --separate-stderr brig update --pids-limit 5 nosuch
	[ "$status" -eq 1 ]
	assert_error_line
	brig kill "$CID" KILL
	wait_status "$CID" stopped
	run --separate-stderr brig update --pids-limit 5 "$CID"
	[ "$status" -eq 1 ]
	assert_error_line
	[[ $stderr == *stopped* ]]
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "pause freezes every process; resume thaws them; state and list say so" {
	counter
	run_detached "$CID"
	wait_file "$SHARED/c"
	brig pause "$CID"
	[ "$(state_field "$CID" status)" = paused ]
	[ "$(host_cg freezer freezer.state)" = FROZEN ]
	brig list | grep -q "^$CID .* paused "
	[ "$(brig list -f json | jq -r --arg id "$CID" '.[] | select(.id == $id) | .status')" = paused ]
	local a b
	a=$(cat "$SHARED/c")
	sleep 0.6
	b=$(cat "$SHARED/c")
	[ "$a" = "$b" ]
	run --separate-stderr brig pause "$CID"
	[ "$status" -eq 1 ]
	assert_error_line
	brig resume "$CID"
	[ "$(state_field "$CID" status)" = running ]
	[ "$(host_cg freezer freezer.state)" = THAWED ]
	sleep 0.6
	[ "$(cat "$SHARED/c")" -gt "$b" ]
	run --separate-stderr brig resume "$CID"
	[ "$status" -eq 1 ]
	assert_error_line
	# a paused container can still be deleted with --force
	brig pause "$CID"
	brig delete -f "$CID"
	assert_nothing_left "$CID"
}

@test "pause of a created container (as runc): start refused until resume" {
	share_dir
	set_args sh -c 'echo ran >/shared/ran'
	create_ctr "$CID"
	brig pause "$CID"
	[ "$(state_field "$CID" status)" = paused ]
	[ "$(host_cg freezer freezer.state)" = FROZEN ]
	brig list | grep -q "^$CID .* paused "
	run --separate-stderr brig start "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	is_runc || [[ $stderr == *paused* ]]
	brig resume "$CID"
	[ "$(state_field "$CID" status)" = created ]
	is_runc && skip "the rest is about brig's state directory"
	# frozen from outside brig: start gives up with one line, not a hang
	echo FROZEN >"$CG/freezer/brig/$CID/freezer.state"
	run --separate-stderr brig start "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"is paused (its cgroup is frozen)"* ]]
	echo THAWED >"$CG/freezer/brig/$CID/freezer.state"
	# a pause whose record cannot be written does not freeze
	mkdir "$ROOT/$CID/state.json.tmp"
	run --separate-stderr brig pause "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	rmdir "$ROOT/$CID/state.json.tmp"
	[ "$(host_cg freezer freezer.state)" = THAWED ]
	[ "$(state_field "$CID" status)" = created ]
	brig start "$CID"
	wait_file "$SHARED/ran"
	wait_status "$CID" stopped
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "pause refuses a stopped container, resume one that is not paused" {
	set_args true
	create_ctr "$CID"
	run --separate-stderr brig resume "$CID"
	[ "$status" -eq 1 ]
	assert_error_line
	is_runc || [[ $stderr == *"is created, not paused"* ]]
	brig start "$CID"
	wait_status "$CID" stopped
	run --separate-stderr brig pause "$CID"
	[ "$status" -eq 1 ]
	assert_error_line
	is_runc || [[ $stderr == *"is stopped, not running or created"* ]]
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "ps lists the container's processes (table and json)" {
	set_args sh -c 'sleep 1001 & sleep 1002 & wait'
	run_detached "$CID"
	local procs
	for _ in $(seq 50); do
		procs=$(sort -n "$CG/pids/brig/$CID/cgroup.procs" | tr '\n' ' ')
		[ "$(wc -w <<<"$procs")" -eq 3 ] && break
		sleep 0.1
	done
	run --separate-stderr brig ps -f json "$CID"
	[ "$status" -eq 0 ]
	[ "$(jq -r 'sort | map(tostring) | join(" ")' <<<"$output") " = "$procs" ]
	run --separate-stderr brig ps "$CID"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == UID*PID*CMD ]]
	[ "${#lines[@]}" -eq 4 ]
	grep -q "sleep 1001" <<<"$output"
	grep -q "sleep 1002" <<<"$output"
	! grep -q bats <<<"$output" || false
	# ps arguments after the id (maybe after --)
	run --separate-stderr brig ps "$CID" -- -o pid,comm
	[ "$status" -eq 0 ]
	[ "$(awk 'NR > 1 {print $1}' <<<"$output" | sort -n | tr '\n' ' ')" = "$procs" ]
	run --separate-stderr brig ps -f yaml "$CID"
	[ "$status" -eq 1 ]
	assert_error_line
	brig delete -f "$CID"
	assert_nothing_left "$CID"
}

@test "events --stats prints one stats object with runc's fields" {
	update_config '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 30}}'
	set_args sh -c 'sleep 1000 & wait'
	run_detached "$CID"
	sleep 0.3
	run --separate-stderr brig events --stats "$CID"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	jq -e --arg id "$CID" '.type == "stats" and .id == $id' <<<"$output"
	jq -e '.data.cpu.usage.total > 0 and (.data.cpu.usage.percpu | length) > 0' <<<"$output"
	jq -e '.data.cpu.usage | has("user") and has("kernel")' <<<"$output"
	jq -e '.data.cpu.throttling | has("periods")' <<<"$output"
	jq -e '.data.memory.usage.usage > 0 and .data.memory.usage.limit == 67108864' <<<"$output"
	jq -e '.data.memory.raw | has("rss") and has("cache")' <<<"$output"
	jq -e '.data.pids == {"current": 2, "limit": 30}' <<<"$output"
	jq -e '.data.blkio | has("ioServiceBytesRecursive")' <<<"$output"
	# hugetlb lives in the unified tree on this host
	jq -e '.data.hugetlb | has("2MB")' <<<"$output"
	# a stream: one stats line per interval
	run timeout 1.3 "$BRIG" --root "$ROOT" events --interval 300ms "$CID"
	[ "$(grep -c '"type":"stats"' <<<"$output")" -ge 3 ]
	run --separate-stderr brig events --interval 0s "$CID"
	[ "$status" -eq 1 ]
	assert_error_line
	brig delete -f "$CID"
	assert_nothing_left "$CID"
}

@test "kill --all signals every process of the cgroup" {
	set_args sh -c 'sleep 1001 & sleep 1002 & wait'
	run_detached "$CID"
	sleep 0.3
	local procs p
	procs=$(cat "$CG/pids/brig/$CID/cgroup.procs")
	[ "$(wc -l <<<"$procs")" -eq 3 ]
	brig kill --all "$CID" KILL
	wait_status "$CID" stopped
	for p in $procs; do ! proc_alive "$p"; done
	brig delete "$CID"
	assert_nothing_left "$CID"
}

@test "the v1 devices cgroup denies what linux.resources.devices denies" {
	update_config '.process.capabilities.bounding += ["CAP_MKNOD"] |
		.process.capabilities.effective += ["CAP_MKNOD"] |
		.process.capabilities.permitted += ["CAP_MKNOD"]'
	update_config '.linux.resources.devices = [{allow: false, access: "rwm"}]'
	run_sh 'mknod /dev/kmsg2 c 1 11; head -c0 /dev/kmsg2 && echo kmsg-open;
		head -c1 /dev/null; echo null-ok'
	[ "$status" -eq 0 ]
	[[ $stderr == *"kmsg2"*"not permitted"* ]]
	[[ $output != *kmsg-open* ]]
	[[ $output == *null-ok* ]]
	assert_nothing_left "$CID"
}

@test "cgroupsPath: absolute and relative paths; the systemd form is refused" {
	set_args sleep 100
	update_config --arg p "/brigtest-abs-$CID/c" '.linux.cgroupsPath = $p'
	run_detached "$CID"
	[ -d "$CG/memory/brigtest-abs-$CID/c" ]
	[ -d "$CG/pids/brigtest-abs-$CID/c" ]
	grep -q "memory:/brigtest-abs-$CID/c\$" "/proc/$(state_field "$CID" pid)/cgroup"
	# a parent that is not brig's own keeps what it inherited
	is_runc || [ "$(cat "$CG/cpuset/brigtest-abs-$CID/cgroup.clone_children")" = \
		"$(cat $CG/cpuset/cgroup.clone_children)" ]
	brig delete -f "$CID"
	rmdir $CG/*/"brigtest-abs-$CID" 2>/dev/null || true # the parent was ours
	assert_nothing_left "$CID"

	# relative: under brig's own cgroup (this test's)
	local own
	own=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
	update_config --arg p "brigtest-rel-$CID" '.linux.cgroupsPath = $p'
	run_detached "$CID"
	[ -d "$CG/memory${own%/}/brigtest-rel-$CID" ]
	brig delete -f "$CID"
	assert_nothing_left "$CID"

	update_config --arg p "system.slice:brig:$CID" '.linux.cgroupsPath = $p'
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *systemd* ]]
	assert_nothing_left "$CID"
}

@test "a create the kernel refuses leaves no cgroup behind" {
	set_args true
	update_config '.linux.resources.cpu.cpus = "99"'
	run --separate-stderr brig create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"linux.resources.cpu"*"cpuset.cpus"* ]]
	assert_nothing_left "$CID"

	update_config '.linux.resources = {memory: {limit: 67108864, swappiness: 200}}'
	run --separate-stderr brig create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	assert_nothing_left "$CID"
}

# kmem KiB charged to a fresh memory cgroup while `brig run -d` runs in it
# ($1), and to the container's own memory cgroup, while it runs
kmem_of_run() {
	local caller=$CG/memory/brigtest-caller-$1-$$
	mkdir "$caller"
	sh -c "echo \$\$ >$caller/cgroup.procs; exec \"$BRIG\" --root \"$ROOT\" run -d --bundle \"$BUNDLE\" $1" \
		</dev/null >/dev/null 2>&1 || { rmdir "$caller"; return 1; }
	echo "$(($(cat "$caller/memory.kmem.usage_in_bytes") / 1024)) $(($(host_cg memory memory.kmem.usage_in_bytes) / 1024))"
	brig delete -f "$1"
	rmdir "$caller"
}

@test "the container's memory cgroup pays for its namespaces, not the caller's" {
	[ -e $CG/memory/memory.kmem.usage_in_bytes ] || skip "no kmem accounting in this kernel's cgroup v1"
	# an ASan build's own shadow memory swamps the caller's figures
	! grep -qa __asan_init "$BRIG" || skip "brig is an ASan build"
	set_args sleep 100
	local with without
	with=($(kmem_of_run "$CID"))
	update_config '.linux.namespaces |= map(select(.type != "network"))'
	without=($(kmem_of_run "$CID"))
	echo "caller KiB with/without a network namespace: ${with[0]} ${without[0]}; container: ${with[1]} ${without[1]}"
	# a network namespace is about 90 KiB of kernel memory here: charged
	# to the container's cgroup, it must not show in the caller's.  The
	# caller's own figure is bimodal, 8-16 or 52-68 KiB from one run to
	# the next (slab pages; b288b02 the same, with or without a network
	# namespace), so the difference of two runs says nothing: with the
	# namespace charged to it the caller would hold 98 KiB or more.
	[ "${with[0]}" -lt 80 ]
	[ $((with[1] - without[1])) -ge 48 ]
	# the init's task, kernel stack and page tables are the container's
	# too (brig forks it from inside the container's memory cgroup): with
	# them the caller kept 156-172 KiB here, without 88-96; with the other
	# v1 cgroup directories made from inside it as well, 56-72
	[ "${with[0]}" -lt 128 ]
	assert_nothing_left "$CID"
}

@test "a memory limit too small for the init: one clear line, brig itself is not killed" {
	# 256 KiB: the init is OOM-killed during set-up.  brig forks it
	# outside so small a cgroup (borrow_ok), so that the OOM killer there
	# never picks brig, which would leave the container half made.
	update_config '.linux.resources.memory = {limit: 262144, swap: 262144}'
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	echo "status $status: $stderr"
	[ "$status" -eq 1 ]
	assert_error_line
	is_runc && return 0
	[[ $stderr == *"container init was killed by signal 9 during set-up"* ]]
	assert_nothing_left "$CID"
}

@test "brig forks the init in the container's memory cgroup and returns to its own" {
	[ -d $CG/memory ] || skip "no v1 memory hierarchy (on v2 the init is cloned into its cgroup)"
	local caller=$CG/memory/brigtest-caller-$$ out=$BATS_TEST_TMPDIR/hook-cgroup
	mkdir "$caller"
	# a createRuntime hook runs after the clone, forked by brig: it is in
	# the memory cgroup brig is in by then
	update_config --arg out "$out" '.hooks.createRuntime = [{path: "/bin/sh",
		args: ["sh", "-c", "grep -E \"^[0-9]+:memory:\" /proc/self/cgroup >\($out)"]}]'
	set_args sh -c 'grep -E "^[0-9]+:memory:" /proc/self/cgroup'
	sh -c "echo \$\$ >$caller/cgroup.procs; exec \"$BRIG\" --root \"$ROOT\" run --bundle \"$BUNDLE\" $CID" \
		</dev/null >"$BATS_TEST_TMPDIR/init-cgroup" 2>&1 || { rmdir "$caller"; false; }
	rmdir "$caller"
	cat "$out" "$BATS_TEST_TMPDIR/init-cgroup"
	[[ $(cat "$out") == *":memory:/brigtest-caller-$$" ]]
	# the container's process sees its own cgroup as the root of its
	# cgroup namespace
	[[ $(cat "$BATS_TEST_TMPDIR/init-cgroup") == *":memory:/" ]]
	assert_nothing_left "$CID"
}

@test "Docker's zeros: shares 0 and weight 0 at create, every unchanged field 0 at update, as runc (issue 18, items 1-2)" {
	# what dockerd writes into every config.json (the path spelt out, so
	# that BRIG=runc uses it too)
	update_config --arg p "/brig/$CID" '.linux.cgroupsPath = $p'
	update_config '.linux.resources = {cpu: {shares: 0, quota: 0, period: 0},
		memory: {limit: 0, reservation: 0, swap: 0, kernel: 0, kernelTCP: 0},
		blockIO: {weight: 0}, pids: {limit: 0}}'
	set_args sleep 100
	run_detached "$CID"
	# runc leaves them as they are: cpu.shares 1024, not 0 (which the
	# kernel makes 2), no limit; and no refusal for the blkio weight on a
	# kernel without one
	[ "$(host_cg cpu cpu.shares)" = 1024 ]
	[ "$(host_cg cpu cpu.cfs_quota_us)" = -1 ]
	[ "$(host_cg pids pids.max)" = max ]
	local mem
	mem=$(host_cg memory memory.limit_in_bytes)
	# docker update --pids-limit 100: the rest of the resources as 0
	echo '{"memory": {"limit": 0, "reservation": 0, "kernel": 0, "swap": 0},
		"cpu": {"shares": 0, "quota": 0, "period": 0, "cpus": "", "mems": ""},
		"blockIO": {"weight": 0}, "pids": {"limit": 100}}' >"$TESTDIR/upd.json"
	run --separate-stderr brig update -r "$TESTDIR/upd.json" "$CID"
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	[ "$(host_cg pids pids.max)" = 100 ]
	[ "$(host_cg cpu cpu.shares)" = 1024 ]
	[ "$(host_cg memory memory.limit_in_bytes)" = "$mem" ]
	[ "$(state_field "$CID" status)" = running ]
}

@test "update is all or nothing: a value the kernel refuses leaves every limit as it was" {
	is_runc && skip "runc 1.1.5 leaves the update half applied (it tries to set back, with the same value)"
	update_config --arg p "/brig/$CID" '.linux.cgroupsPath = $p'
	update_config '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 20}}'
	set_args sleep 100
	run_detached "$CID"
	# the memory limit is written before the cpu period the kernel
	# refuses (under 1 ms)
	run --separate-stderr brig update --memory 128m --pids-limit 33 --cpu-period 100 "$CID"
	echo "$stderr" >&2
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *cpu.cfs_period_us* ]]
	[ "$(host_cg memory memory.limit_in_bytes)" = 67108864 ]
	[ "$(host_cg pids pids.max)" = 20 ]
}

@test "hybrid host: the container is in the name=systemd hierarchy, and sees no unified mount, as runc (issue 18, item 11)" {
	[ -d "$CG/systemd" ] || skip "no name=systemd hierarchy here"
	update_config --arg p "/brig/$CID" '.linux.cgroupsPath = $p'
	set_args sh -c 'grep -c " /sys/fs/cgroup/unified " /proc/self/mountinfo; grep -c " /sys/fs/cgroup/systemd " /proc/self/mountinfo; exec sleep 100'
	run_detached "$CID"
	local pid i
	pid=$(state_field "$CID" pid)
	grep -q "^[0-9]*:name=systemd:/brig/$CID\$" "/proc/$pid/cgroup"
	for i in $(seq 50); do [ "$(wc -l <"$TESTDIR/$CID.out")" -ge 2 ] && break; sleep 0.1; done
	[ "$(sed -n 1p "$TESTDIR/$CID.out")" = 0 ]
	[ "$(sed -n 2p "$TESTDIR/$CID.out")" = 1 ]
	brig delete -f "$CID"
	[ ! -e "$CG/systemd/brig/$CID" ]
}
