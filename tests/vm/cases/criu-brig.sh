# criu-brig — brig checkpoint and restore through CRIU (issue 22), here
# where CRIU runs (the host's kernel defeats it: its vDSO): a counting
# process checkpointed, its container gone, restored under a new id goes
# on counting from where it stopped; --leave-running; a pre-dump, then a
# dump on top of it.
. "$(dirname "$0")/lib.sh"

B=/tmp/criu-brig
IMG=/tmp/criu-img
trap 'cleanup_ctr cr-a cr-b cr-c cr-d cr-e; rm -rf $B $IMG $IMG-lr $IMG-pre $IMG-dump' EXIT

if ! command -v criu >/dev/null; then
	skip "brig checkpoint and restore" "no criu in the VM (the host lacks Debian's criu)"
	exit 0
fi
# the network lock through nftables (the VM has its modules, not
# iptables'), as a host's CRIU configuration would say
mkdir -p /etc/criu
echo 'network-lock nftables' >/etc/criu/default.conf
trap 'cleanup_ctr cr-a cr-b cr-c cr-d cr-e; rm -rf $B $IMG $IMG-lr $IMG-pre $IMG-dump /etc/criu/default.conf' EXIT
make_bundle $B || {
	not_ok "make a bundle"
	exit 1
}
# the count in the rootfs, where the host reads it; stdio of its own:
# /dev/null of the container's, not descriptors of the caller's
update_config $B '.root.readonly = false'
set_sh $B 'exec </dev/null >/dev/null 2>&1; i=0
while :; do i=$((i + 1)); echo $i >/count.new; mv /count.new /count; usleep 50000; done'
count() { cat $B/rootfs/count 2>/dev/null || echo 0; }

# wait_count N — until the count reaches N (~20 s)
wait_count() {
	local i
	for i in $(seq 200); do
		[ "$(count)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# still_count — the count does not move for a second
still_count() {
	local a
	a=$(count)
	sleep 1
	[ "$(count)" = "$a" ]
}

# restored ID C — ID runs and counts on from C, not from 1
restored() {
	local id=$1 c=$2
	[ "$(state_field "$id" status)" = running ] || return 1
	wait_count $((c + 3)) || return 1
	# a process started afresh would have written 1, 2, ... first: the
	# count only grew past c
	[ "$(count)" -gt "$c" ]
}

dump_failed() {
	not_ok "$1" "status $2:" "$3" "$(grep -h Error $4/*.log 2>/dev/null | tail -5)"
}

# ---------------------------------------------- checkpoint, restore as another
rm -f $B/rootfs/count
brig run -d --bundle $B cr-a </dev/null >/dev/null 2>&1
wait_count 5
out=$(brig checkpoint --image-path $IMG cr-a 2>&1)
rc=$?
c=$(count)
if [ $rc -eq 0 ] && ! "$BRIG_BIN" state cr-a >/dev/null 2>&1 && still_count; then
	ok "checkpoint: the count stopped at $c, the container is gone (as runc)"
else
	dump_failed "checkpoint: the count stops, the container is gone" $rc "$out" $IMG
fi
out=$(brig restore -d --bundle $B --image-path $IMG cr-b 2>&1)
rc=$?
if [ $rc -eq 0 ] && restored cr-b "$c"; then
	ok "restore under a new id: the count goes on from $c ($(count) now)"
else
	dump_failed "restore under a new id: the count goes on" $rc "$out" $IMG
fi
check "restore: brig list shows it running" sh -c "$BRIG_BIN list | grep -q 'cr-b .* running'"
cleanup_ctr cr-b

# --------------------------------------------------------------- leave-running
rm -f $B/rootfs/count
brig run -d --bundle $B cr-c </dev/null >/dev/null 2>&1
wait_count 5
out=$(brig checkpoint --leave-running --image-path $IMG-lr cr-c 2>&1)
rc=$?
c=$(count)
if [ $rc -eq 0 ] && [ "$(state_field cr-c status)" = running ] && wait_count $((c + 3)); then
	ok "checkpoint --leave-running: it runs on"
else
	dump_failed "checkpoint --leave-running: it runs on" $rc "$out" $IMG-lr
fi
cleanup_ctr cr-c
out=$(brig restore -d --bundle $B --image-path $IMG-lr cr-d 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$(state_field cr-d status)" = running ]; then
	ok "restore of a --leave-running checkpoint"
else
	dump_failed "restore of a --leave-running checkpoint" $rc "$out" $IMG-lr
fi
cleanup_ctr cr-d

# ----------------------------------------------------------- pre-dump, dump
rm -f $B/rootfs/count
brig run -d --bundle $B cr-e </dev/null >/dev/null 2>&1
wait_count 5
out=$(brig checkpoint --pre-dump --image-path $IMG-pre cr-e 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$(state_field cr-e status)" = running ]; then
	ok "checkpoint --pre-dump: memory saved, it runs on"
else
	dump_failed "checkpoint --pre-dump" $rc "$out" $IMG-pre
fi
out=$(brig checkpoint --image-path $IMG-dump --parent-path ../criu-img-pre cr-e 2>&1)
rc=$?
c=$(count)
if [ $rc -eq 0 ] && [ -e $IMG-dump/parent ] &&
	out2=$(brig restore -d --bundle $B --image-path $IMG-dump cr-e 2>&1) && restored cr-e "$c"; then
	ok "checkpoint --parent-path after a pre-dump, restore: the count goes on from $c"
else
	dump_failed "checkpoint --parent-path after a pre-dump, restore" $rc "$out ${out2:-}" $IMG-dump
fi
cleanup_ctr cr-e
