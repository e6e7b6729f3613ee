# v2-basics — brig on a pure cgroup v2 host: limits as the container sees
# them, the cgroup's life across create/start/kill/delete, and the
# CLONE_INTO_CGROUP fast path.
. "$(dirname "$0")/lib.sh"

B=/tmp/v2-basics
ID=v2-life
trap 'cleanup_ctr v2-run v2-oom v2-pids $ID; rm -rf $B' EXIT

# --------------------------------------------------------------- the host
if [ -f /sys/fs/cgroup/cgroup.controllers ] &&
	! grep -q ' cgroup ' /proc/mounts &&
	! grep -q ' /sys/fs/cgroup/unified ' /proc/mounts; then
	ok "the host is pure cgroup v2 ($(cat /sys/fs/cgroup/cgroup.controllers))"
else
	not_ok "the host is pure cgroup v2" "$(grep cgroup /proc/mounts)"
fi

make_bundle $B || {
	not_ok "make a bundle"
	exit 1
}
update_config $B '.linux.resources = {memory: {limit: 33554432}, pids: {limit: 16}}'

# ------------------------------------------------- limits seen from inside
set_sh $B 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; cat /proc/self/cgroup; ls /sys/fs/cgroup/cgroup.controllers'
out=$(brig run --bundle $B v2-run 2>&1)
rc=$?
want="33554432
16
0::/
/sys/fs/cgroup/cgroup.controllers"
if [ $rc -eq 0 ] && [ "$out" = "$want" ]; then
	ok "the container sees memory.max 32M, pids.max 16, its own cgroup2 root"
else
	not_ok "the container sees memory.max 32M, pids.max 16, its own cgroup2 root" \
		"status $rc, saw:" "$out" "wanted:" "$want"
fi

# ---------------------------------------------------- the limits hold
set_sh $B 'dd if=/dev/zero of=/dev/null bs=8M count=1 2>/dev/null; echo small=$?; dd if=/dev/zero of=/dev/null bs=64M count=1 2>/dev/null; echo big=$?'
out=$(brig run --bundle $B v2-oom 2>&1)
case $out in
*small=0*big=137*) ok "memory.max holds: 8M buffer fine, 64M buffer OOM-killed" ;;
*) not_ok "memory.max holds: 8M buffer fine, 64M buffer OOM-killed" "$out" ;;
esac

set_sh $B 'i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i + 1)); done; echo forked all $i'
out=$(brig run --bundle $B v2-pids 2>&1)
rc=$?
case $out in
*"can't fork"*)
	ok "pids.max holds: the 16th process cannot fork"
	diag "$out"
	;;
*) not_ok "pids.max holds: the 16th process cannot fork" "status $rc:" "$out" ;;
esac

# ------------------------------------------------ lifecycle and its cgroup
CG=/sys/fs/cgroup/brig/$ID
set_sh $B 'echo started >/dev/null; exec sleep 600'
if [ -x /usr/bin/strace ]; then
	strace -o /tmp/v2-strace -e trace=clone3 -e signal=none \
		"$BRIG_BIN" create --bundle $B $ID </dev/null >/tmp/v2-create.out 2>&1
else
	brig create --bundle $B $ID </dev/null >/tmp/v2-create.out 2>&1
fi
rc=$?
if [ $rc -ne 0 ]; then
	not_ok "create" "status $rc:" "$(cat /tmp/v2-create.out)"
	exit 1
fi
st=$(state_field $ID status)
pid=$(state_field $ID pid)
[ "$st" = created ] && ok "create: state is created" || not_ok "create: state is created" "status: $st"
if [ -d $CG ] && grep -qx "$pid" $CG/cgroup.procs; then
	ok "create: the init ($pid) is in $CG before start"
else
	not_ok "create: the init ($pid) is in $CG before start" "$(ls -d $CG 2>&1)" "$(cat $CG/cgroup.procs 2>&1)"
fi
if [ ! -x /usr/bin/strace ]; then
	skip "create: clone3 with CLONE_INTO_CGROUP" "no strace in the VM"
elif grep -q 'clone3(.*CLONE_INTO_CGROUP.*= '"$pid"'$' /tmp/v2-strace; then
	ok "create: one clone3 with CLONE_INTO_CGROUP made the init"
	diag "$(grep clone3 /tmp/v2-strace)"
else
	not_ok "create: one clone3 with CLONE_INTO_CGROUP made the init" "$(cat /tmp/v2-strace)"
fi
check "create: memory.max and pids.max written" \
	sh -c "[ \"\$(cat $CG/memory.max)\" = 33554432 ] && [ \"\$(cat $CG/pids.max)\" = 16 ]"
if brig start $ID && wait_status $ID running; then
	ok "start: state is running"
else
	not_ok "start: state is running"
fi
check "start: the process runs sleep 600 in the cgroup" \
	sh -c "grep -q 'sleep' /proc/$pid/cmdline && grep -qx $pid $CG/cgroup.procs && [ \"\$(cat /proc/$pid/cgroup)\" = 0::/brig/$ID ]"
if brig kill $ID KILL && wait_status $ID stopped; then
	ok "kill: state is stopped"
else
	not_ok "kill: state is stopped"
fi
out=$(brig delete $ID 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ ! -e $CG ] && [ ! -e /run/brig/$ID ]; then
	ok "delete: the cgroup and the state are gone"
else
	not_ok "delete: the cgroup and the state are gone" "status $rc: $out" "$(ls -d $CG /run/brig/$ID 2>&1)"
fi
out=$(brig state $ID 2>&1)
rc=$?
[ $rc -ne 0 ] && ok "state after delete fails: $out" || not_ok "state after delete fails" "$out"
