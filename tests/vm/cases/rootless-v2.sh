# rootless-v2 — a non-root user on a pure cgroup v2 host: `brig spec
# --rootless` and `brig run` in their own bundle; a cgroup subtree
# delegated to them (chowned, as systemd's Delegate= does) is used and its
# limits land, an undelegated cgroup is skipped without limits and refused
# with them.
. "$(dirname "$0")/lib.sh"

U=1000
B=/tmp/rootless-v2
S=$B/state
D=/sys/fs/cgroup/rl-delegated
cleanup() {
	as_user "$BRIG_BIN --root $S delete -f rl-deleg" >/dev/null 2>&1
	as_user "$BRIG_BIN --root $S delete -f rl-plain" >/dev/null 2>&1
	for d in $D/ctr $D/shell; do
		[ -d $d ] || continue
		for p in $(cat $d/cgroup.procs 2>/dev/null); do
			echo "$p" >/sys/fs/cgroup/cgroup.procs 2>/dev/null
		done
		rmdir $d 2>/dev/null
	done
	rmdir $D 2>/dev/null
	rm -rf $B
	sed -i '/^rl:/d' /etc/passwd /etc/group
}
trap cleanup EXIT

# as_user CMD — run CMD as uid 1000, in the delegated leaf cgroup once it
# exists (moved there by root: the user may not write the root cgroup's
# cgroup.procs, which a move from it needs)
as_user() {
	sh -c "[ -d $D/shell ] && echo \$\$ >$D/shell/cgroup.procs; exec su -s /bin/sh rl -c \"\$0\"" "$1"
}

echo "rl:x:$U:$U::/tmp:/bin/sh" >>/etc/passwd
echo "rl:x:$U:" >>/etc/group
mkdir -p $B/bundle $S
cp -a "$(vm_rootfs)" $B/bundle/rootfs
chown -R $U:$U $B

# --------------------------------------------------- spec --rootless, run
if ! out=$(as_user "cd $B/bundle && $BRIG_BIN spec --rootless" 2>&1); then
	not_ok "spec --rootless as uid $U" "$out"
	exit 1
fi
update_config $B/bundle '.process.terminal = false |
	.process.args = ["sh", "-c", "id -u; set -- $(cat /proc/self/uid_map); echo $1 $2 $3"]'
out=$(as_user "$BRIG_BIN --root $S run --bundle $B/bundle rl-plain" 2>&1)
case $out in
0*"0 $U 1"*) ok "run as uid $U: root inside, mapped to $U outside" ;;
*) not_ok "run as uid $U: root inside, mapped to $U outside" "$out" ;;
esac

# --------------------------------- no delegation: limits are refused
update_config $B/bundle '.linux.resources = {pids: {limit: 10}}'
out=$(as_user "$BRIG_BIN --root $S run --bundle $B/bundle rl-plain" 2>&1)
case $out in
*"cgroup limits need root"*"not delegated"*) ok "limits without a delegated cgroup: one clear error" ;;
*) not_ok "limits without a delegated cgroup: one clear error" "$out" ;;
esac

# ------------------------------------------- a delegated subtree is used
# root enables the controllers and hands the subtree to the user; the
# user's shell sits in the leaf "shell", the container goes to "ctr"
echo "+memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
mkdir -p $D/shell
chown $U:$U $D $D/cgroup.procs $D/cgroup.subtree_control $D/cgroup.threads \
	$D/shell $D/shell/cgroup.procs
as_user "echo '+memory +pids' >$D/cgroup.subtree_control"
update_config $B/bundle '.linux.cgroupsPath = "/rl-delegated/ctr" |
	.linux.resources = {memory: {limit: 33554432}, pids: {limit: 10}} |
	.linux.namespaces -= [{type: "cgroup"}] |
	.process.args = ["sleep", "30"]'
# (the container's stdio is the caller's: a file, not $(...)'s pipe)
if ! as_user "$BRIG_BIN --root $S run -d --bundle $B/bundle rl-deleg </dev/null >$B/run.out 2>&1"; then
	not_ok "run -d in a delegated cgroup" "$(cat $B/run.out)"
	exit 1
fi
st=$(as_user "$BRIG_BIN --root $S state rl-deleg" 2>&1)
pid=$(echo "$st" | jq -r .pid)
if grep -qx "$pid" $D/ctr/cgroup.procs; then
	ok "the container's process is in the delegated cgroup"
else
	not_ok "the container's process is in the delegated cgroup" "state: $st" \
		"cgroup.procs: $(cat $D/ctr/cgroup.procs)"
fi
check "memory and pids limits land there" \
	sh -c "[ \$(cat $D/ctr/memory.max) = 33554432 ] && [ \$(cat $D/ctr/pids.max) = 10 ]"
out=$(as_user "$BRIG_BIN --root $S delete -f rl-deleg" 2>&1)
check "delete -f removes the container and its cgroup" \
	sh -c "[ ! -d $D/ctr ] && [ -z \"\$(ls $S)\" ]"
