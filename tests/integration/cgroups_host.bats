#!/usr/bin/env bats
# cgroupsPath and linux.resources.unified turned against the host's
# cgroups (issue 17, items 6 and 7).  A host process this test starts (the
# victim, a sleep) sits in cgroups this test makes; the config names that
# cgroup, climbs towards it with "..", or asks unified to move the victim
# into the container's cgroup.  Whatever brig does with the container
# (kill --all, delete -f), the victim must be alive afterwards, in the
# cgroups it was in, and every cgroup the test made must still be there.
#
# runc (BRIG=runc) joins a populated cgroup, and its kill --all then kills
# the victim; those tests end in a skip saying what runc did.

load helpers

CG=/sys/fs/cgroup

setup() {
	setup_bundle
	[ -d $CG/memory ] || skip "needs cgroup v1 controllers (tests/vm covers v2)"
	VICTIM=
	VICTIM_CGS=()  # directories this test made, parents first
	VICTIM_LEAVES=()
}

teardown() {
	local d i
	[ -n "${VICTIM:-}" ] && kill -9 "$VICTIM" 2>/dev/null && wait "$VICTIM" 2>/dev/null
	for d in "${VICTIM_CGS[@]}"; do
		[ -f "$d/freezer.state" ] && echo THAWED >"$d/freezer.state"
	done
	teardown_bundle
	local rc=$?
	for ((i = ${#VICTIM_CGS[@]} - 1; i >= 0; i--)); do
		d=${VICTIM_CGS[i]}
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			rmdir "$d" 2>/dev/null && break
			[ -d "$d" ] || break
			sleep 0.1
		done
	done
	return $rc
}

# The hierarchies brig uses: every v1 controller directory (a "cpu" link
# to "cpu,cpuacct" is the same one), and the unified one.
hierarchies() {
	find $CG -mindepth 1 -maxdepth 1 -type d ! -name systemd ! -name unified
	[ -f $CG/unified/cgroup.procs ] && echo $CG/unified
}

# own_cgroup DIR — this shell's cgroup in the hierarchy mounted at DIR.
own_cgroup() {
	local name=${1#$CG/}
	if [ "$name" = unified ]; then
		awk -F: '$1 == "0" { print $3 }' /proc/self/cgroup
	else
		awk -F: -v n="$name" '$2 == n { print $3 }' /proc/self/cgroup
	fi
}

start_victim() {
	sleep 1000 </dev/null >/dev/null 2>&1 &
	VICTIM=$!
}

# victim_cgroup PATH [IN] — make PATH in every hierarchy (absolute: from
# its root; relative: under this shell's own cgroup there) and move the
# victim into PATH/IN (IN empty: PATH itself; "-": nowhere).
victim_cgroup() {
	local p=$1 in=${2:-} h dir sub leaf
	for h in $(hierarchies); do
		if [[ $p == /* ]]; then
			dir=$h$p
		else
			dir=$h$(own_cgroup "$h")
			dir=${dir%/}/$p
		fi
		leaf=$dir
		[ -n "$in" ] && [ "$in" != - ] && leaf=$dir/$in
		# make each missing level, cpuset filled from its parent
		sub=$h
		local rest=${leaf#$h/} part
		IFS=/ read -ra parts <<<"$rest"
		for part in "${parts[@]}"; do
			[ -n "$part" ] || continue
			if [ ! -d "$sub/$part" ]; then
				mkdir "$sub/$part"
				VICTIM_CGS+=("$sub/$part")
				if [ -f "$sub/$part/cpuset.cpus" ]; then
					cat "$sub/cpuset.cpus" >"$sub/$part/cpuset.cpus"
					cat "$sub/cpuset.mems" >"$sub/$part/cpuset.mems"
				fi
			fi
			sub=$sub/$part
		done
		if [ "$in" != - ]; then
			echo "$VICTIM" >"$leaf/cgroup.procs"
			VICTIM_LEAVES+=("$leaf")
		fi
	done
}

# The victim is alive, in every cgroup it was put in, and every cgroup the
# test made is still there.
assert_victim_untouched() {
	local d bad=0
	if ! proc_alive "$VICTIM"; then
		echo "the victim $VICTIM was killed" >&2
		return 1
	fi
	for d in "${VICTIM_LEAVES[@]}"; do
		grep -qx "$VICTIM" "$d/cgroup.procs" ||
			{ echo "the victim left $d" >&2; bad=1; }
	done
	for d in "${VICTIM_CGS[@]}"; do
		[ -d "$d" ] || { echo "the cgroup $d was removed" >&2; bad=1; }
	done
	return $bad
}

# attack — run -d a sleeping container from $BUNDLE, then, if that was
# allowed, kill --all KILL and delete -f it.  Sets $status (of run -d),
# $stderr (its message).
attack() {
	set_args sleep 100
	if run_detached "$CID" 2>/dev/null; then
		status=0
		brig kill --all "$CID" KILL || true
		sleep 0.2
		brig delete -f "$CID" || true
	else
		status=1
	fi
	stderr=$(cat "$TESTDIR/$CID.err")
	sleep 0.2
}

# runc_says WHAT — for BRIG=runc: skip, saying what runc did.
runc_says() {
	if assert_victim_untouched 2>/dev/null; then
		skip "runc: $1; the victim survived"
	else
		skip "runc: $1; the victim was killed or moved"
	fi
}

@test "cgroupsPath naming a populated host cgroup: refused, its process and the cgroup untouched" {
	start_victim
	victim_cgroup "/brigtest-victim-$$-$BATS_TEST_NUMBER"
	update_config --arg p "/brigtest-victim-$$-$BATS_TEST_NUMBER" '.linux.cgroupsPath = $p'
	attack
	is_runc && runc_says "run -d status $status, ${stderr:0:120}"
	assert_victim_untouched
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"linux.cgroupsPath"*"has processes"* ]]
	assert_nothing_left "$CID"
}

@test "cgroupsPath naming a cgroup whose sub-cgroup holds a host process: refused" {
	start_victim
	victim_cgroup "/brigtest-victim-$$-$BATS_TEST_NUMBER" inner
	# (v1 devices rules cannot change in a cgroup with children)
	update_config 'del(.linux.resources.devices)'
	update_config --arg p "/brigtest-victim-$$-$BATS_TEST_NUMBER" '.linux.cgroupsPath = $p'
	attack
	is_runc && runc_says "run -d status $status, ${stderr:0:120}"
	assert_victim_untouched
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"linux.cgroupsPath"*"sub-cgroup"* ]]
	assert_nothing_left "$CID"
}

@test "cgroupsPath naming brig's own cgroup (\".\"): refused, the caller survives" {
	# the caller of brig is in its own cgroup: joining it, delete would
	# kill the caller
	victim_cgroup "brigtest-caller-$$-$BATS_TEST_NUMBER" -
	start_victim
	local h own
	for h in $(hierarchies); do
		own=$(own_cgroup "$h")
		echo "$VICTIM" >"$h${own%/}/brigtest-caller-$$-$BATS_TEST_NUMBER/cgroup.procs"
		VICTIM_LEAVES+=("$h${own%/}/brigtest-caller-$$-$BATS_TEST_NUMBER")
	done
	update_config '.linux.cgroupsPath = "."'
	set_args sleep 100
	# brig runs inside the victim's cgroups: its own cgroup is the victim's
	local all=() d
	for d in "${VICTIM_LEAVES[@]}"; do all+=("$d/cgroup.procs"); done
	sh -c 'b=$0 r=$1 bu=$2 c=$3; shift 3
		for f; do echo $$ >"$f"; done; exec "$b" --root "$r" run -d --bundle "$bu" "$c"' \
		"$BRIG" "$ROOT" "$BUNDLE" "$CID" "${all[@]}" \
		</dev/null >"$TESTDIR/$CID.out" 2>"$TESTDIR/$CID.err" && status=0 || status=1
	stderr=$(cat "$TESTDIR/$CID.err")
	if [ "$status" -eq 0 ]; then
		brig kill --all "$CID" KILL || true
		sleep 0.2
		brig delete -f "$CID" || true
	fi
	sleep 0.2
	is_runc && runc_says "run -d status $status, ${stderr:0:120}"
	assert_victim_untouched
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"linux.cgroupsPath"* ]]
	assert_nothing_left "$CID"
}

@test "a relative cgroupsPath climbing out of the hierarchy's root: refused, nothing made" {
	# the victim sits in a child of this shell's own cgroup: climbing
	# above the root and "clamped" back down, a path lands on it
	start_victim
	victim_cgroup "brigtest-victim-$$-$BATS_TEST_NUMBER"
	local up=../../../../../../../../../..
	update_config --arg p "$up/brigtest-victim-$$-$BATS_TEST_NUMBER" '.linux.cgroupsPath = $p'
	attack
	is_runc && runc_says "run -d status $status (drops the leading ..)"
	assert_victim_untouched
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"linux.cgroupsPath"*"above the root"* ]]
	assert_nothing_left "$CID"

	for p in "$up/etc/brigtest-$CID" "../../../../../../etc/brigtest-$CID" \
		"/../../brigtest-$CID" "/a/../../brigtest-$CID" "brigtest-$CID/../../../../../../.."; do
		update_config --arg p "$p" '.linux.cgroupsPath = $p'
		set_args true
		run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
		echo "$p: $status $stderr"
		is_runc && continue
		[ "$status" -ne 0 ]
		assert_error_line
		[[ $stderr == *"linux.cgroupsPath"*"above the root"* ]]
		assert_nothing_left "$CID"
	done
	is_runc && skip "runc accepts these (a leading .. is dropped)"
	true
}

@test "an existing empty cgroup is joined, its processes killed at delete, the cgroup left in place" {
	victim_cgroup "/brigtest-empty-$$-$BATS_TEST_NUMBER" -
	update_config --arg p "/brigtest-empty-$$-$BATS_TEST_NUMBER" '.linux.cgroupsPath = $p'
	set_args sh -c 'sleep 1001 & sleep 1002 & wait'
	run_detached "$CID"
	sleep 0.3
	local procs d pid
	pid=$(state_field "$CID" pid)
	procs=$(cat "$CG/pids/brigtest-empty-$$-$BATS_TEST_NUMBER/cgroup.procs")
	[ "$(wc -l <<<"$procs")" -eq 3 ]
	grep -qx "$pid" <<<"$procs"
	brig delete -f "$CID"
	for d in "${VICTIM_CGS[@]}"; do
		[ -d "$d" ] || { is_runc && skip "runc removes the cgroup it joined"; false; }
		[ -z "$(cat "$d/cgroup.procs")" ]
	done
	for d in $procs; do ! proc_alive "$d"; done
	assert_nothing_left "$CID"
}

@test "cgroupsPath naming a frozen cgroup, or one under it: refused at once, nothing left" {
	[ -d $CG/freezer ] || skip "no v1 freezer hierarchy"
	victim_cgroup "/brigtest-frozen-$$-$BATS_TEST_NUMBER" -
	echo FROZEN >"$CG/freezer/brigtest-frozen-$$-$BATS_TEST_NUMBER/freezer.state"
	local p BRIG_TIMEOUT=15
	for p in "/brigtest-frozen-$$-$BATS_TEST_NUMBER" "/brigtest-frozen-$$-$BATS_TEST_NUMBER/$CID"; do
		update_config --arg p "$p" '.linux.cgroupsPath = $p'
		set_args true
		# stdio on files: a frozen init would hold a pipe open for ever
		brig run --bundle "$BUNDLE" "$CID" </dev/null >"$TESTDIR/out" 2>"$TESTDIR/err" &&
			status=0 || status=$?
		stderr=$(cat "$TESTDIR/err")
		echo "$p: $status $stderr"
		# runc refuses the first, and hangs under the frozen parent
		is_runc && break
		[ "$status" -eq 1 ]
		assert_error_line
		[[ $stderr == *"linux.cgroupsPath: cgroup $p is frozen"*"thaw it first"* ]]
		assert_nothing_left "$CID"
	done
	is_runc && skip "runc: status $status ($stderr); a new cgroup under the frozen one hangs"
	true
}

# unified_refused KEY VALUE WHAT — a container whose unified sets KEY is
# refused with one line naming linux.resources.unified["KEY"] and WHAT;
# nothing is left and the victim is untouched.
unified_refused() {
	update_config --arg k "$1" --arg v "$2" '.linux.resources.unified = {($k): $v}'
	set_args sleep 100
	attack
	echo "unified $1=$2: status $status: $stderr"
	assert_victim_untouched
	is_runc && return 0
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"linux.resources.unified[\"$1\"]"*"$3"* ]]
	assert_nothing_left "$CID"
}

@test "unified cannot write cgroup core files: cgroup.procs with a host pid, subtree_control, type, kill, freeze" {
	[ -f $CG/unified/cgroup.procs ] || skip "no unified hierarchy"
	start_victim
	victim_cgroup "/brigtest-victim-$$-$BATS_TEST_NUMBER"
	unified_refused cgroup.procs "$VICTIM" "core file"
	unified_refused cgroup.threads "$VICTIM" "core file"
	unified_refused cgroup.subtree_control "+hugetlb" "core file"
	unified_refused cgroup.type threaded "core file"
	unified_refused cgroup.kill 1 "core file"
	unified_refused cgroup.freeze 1 "core file"
	unified_refused cgroup.max.depth 0 "core file"
	is_runc && skip "runc refuses unified on a v1 or hybrid host altogether"
	true
}

@test "unified keys: a controller not enabled, '/', '..', no controller prefix: one line each" {
	[ -f $CG/unified/cgroup.procs ] || skip "no unified hierarchy"
	start_victim
	victim_cgroup "/brigtest-victim-$$-$BATS_TEST_NUMBER"
	unified_refused "hugetlb/../cgroup.procs" "$VICTIM" "'/'"
	unified_refused ".." 1 "file name"
	unified_refused "..hugetlb.2MB.max" 1 "file name"
	unified_refused "notacontroller" 1 "controller"
	# memory is a v1 controller here: not in the unified cgroup
	unified_refused "memory.max" 1 "controller \"memory\" is not enabled"
	is_runc && skip "runc refuses unified on a v1 or hybrid host altogether"
	true
}

@test "unified writes a file of a controller the container's v2 cgroup has" {
	[ -f $CG/unified/cgroup.procs ] || skip "no unified hierarchy"
	is_runc && skip "runc refuses unified on a v1 or hybrid host altogether"
	local f
	grep -qw hugetlb $CG/unified/cgroup.controllers ||
		skip "no hugetlb controller in the unified hierarchy"
	[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ] || skip "no 2 MB huge pages"
	f=hugetlb.2MB.max
	update_config --arg f "$f" '.linux.resources.unified = {($f): "4194304"}'
	set_args sleep 100
	run_detached "$CID"
	[ "$(cat "$CG/unified/brig/$CID/$f")" = 4194304 ]
	brig delete -f "$CID"
	assert_nothing_left "$CID"
}

@test "update -r with unified cgroup.procs of a host process: refused, the process stays where it was" {
	[ -f $CG/unified/cgroup.procs ] || skip "no unified hierarchy"
	start_victim
	victim_cgroup "/brigtest-victim-$$-$BATS_TEST_NUMBER"
	set_args sleep 100
	run_detached "$CID"
	local r=$TESTDIR/res.json
	jq -n --arg v "$VICTIM" '{unified: {"cgroup.procs": $v}}' >"$r"
	run --separate-stderr brig update -r "$r" "$CID"
	echo "update: $status $stderr"
	for k in cgroup.subtree_control cgroup.kill; do
		jq -n --arg k "$k" '{unified: {($k): "1"}}' | brig update -r - "$CID" && status=0 || true
	done
	brig delete -f "$CID"
	sleep 0.2
	is_runc && runc_says "update status $status"
	assert_victim_untouched
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *'linux.resources.unified["cgroup.procs"]'*"core file"* ]]
	assert_nothing_left "$CID"
}
