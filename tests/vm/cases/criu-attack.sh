# criu-attack — brig restore killed while CRIU restores (attack: a
# restore cut short leaves a half-made container behind: state, cgroup,
# processes, CRIU's root bind): `brig delete -f` afterwards leaves
# nothing, and nothing of CRIU's root bind is on the host.
. "$(dirname "$0")/lib.sh"

B=/tmp/criu-atk
IMG=/tmp/criu-atk-img

if ! command -v criu >/dev/null; then
	skip "brig restore killed midway" "no criu in the VM"
	exit 0
fi
trap 'cleanup_ctr ck-a ck-b ck-c ck-d; rm -rf $B $IMG $B-ro $IMG-ro' EXIT
counting_bundle $B || {
	not_ok "make a bundle"
	exit 1
}
count() { count_in $B; }

# criu_running — the pid of a criu (brig's restore's: no other runs here)
criu_running() {
	grep -lx criu /proc/[0-9]*/comm 2>/dev/null | head -1 | cut -d/ -f3
}

brig run -d --bundle $B ck-a </dev/null >/dev/null 2>&1
sleep 1
if ! out=$(brig checkpoint --image-path $IMG ck-a 2>&1); then
	not_ok "restore killed midway: checkpoint" "$out"
	exit 0
fi
"$BRIG_BIN" restore -d --bundle $B --image-path $IMG ck-b </dev/null >/dev/null 2>&1 &
bp=$!
cp=
for i in $(seq 200); do
	cp=$(criu_running)
	[ -n "$cp" ] && break
	sleep 0.02
done
kill -9 $bp
wait $bp 2>/dev/null
# CRIU goes on alone: wait for it to end, whatever it brought back
for i in $(seq 200); do
	[ -n "$cp" ] && [ -d /proc/$cp ] || break
	sleep 0.1
done
if [ -z "$cp" ]; then
	not_ok "restore killed midway: criu was seen running"
else
	ok "restore killed midway: brig killed while criu ($cp) ran"
fi
out=$("$BRIG_BIN" delete -f ck-b 2>&1)
check "restore killed midway: delete -f succeeds" test $? -eq 0
check "restore killed midway: no state left" sh -c "! '$BRIG_BIN' state ck-b >/dev/null 2>&1"
a=$(count)
sleep 1
check "restore killed midway: nothing restored runs on (count still)" test "$(count)" = "$a"
check "restore killed midway: no cgroup left" sh -c "[ -z \"\$(find /sys/fs/cgroup -type d -name '*ck-b*')\" ]"
check "restore killed midway: no criu-root mount on the host" sh -c "! grep -q criu-root /proc/self/mountinfo"

# ------------------------------------------------- what restore must keep
# attack: a container checkpointed and restored loses a protection the
# bundle gives it (its read-only rootfs and /proc/sys, /proc/sysrq-trigger,
# the device rules of its cgroup: with CAP_MKNOD, a node for a device it
# may not use, /dev/kmsg; no_new_privs, its bounding set)
make_bundle $B-ro
update_config $B-ro '.root.readonly = true
	| .process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
set_sh $B-ro 'exec </dev/null >/dev/null 2>&1; while :; do sleep 1; done'
# guard — what the container can do against its protections, one a line
guard() {
	brig exec "$1" sh -c '(: >/x) 2>/dev/null && echo rootfs-written
(: >/proc/sysrq-trigger) 2>/dev/null && echo sysrq-written
awk "\$5 == \"/proc/sys\" { print \"proc-sys\", substr(\$6, 1, 2) }" /proc/self/mountinfo
rm -f /dev/k; mknod /dev/k c 1 11 2>/dev/null || echo no-mknod
(: >/dev/k) 2>/dev/null && echo kmsg-opened
grep -E "^(NoNewPrivs|CapBnd):" /proc/1/status' 2>&1
}
brig run -d --bundle $B-ro ck-c </dev/null >/dev/null 2>&1
before=$(guard ck-c)
if out=$(brig checkpoint --image-path $IMG-ro ck-c 2>&1) &&
	out=$(brig restore -d --bundle $B-ro --image-path $IMG-ro ck-d 2>&1); then
	after=$(guard ck-d)
	if [ "$after" = "$before" ] && ! echo "$after" | grep -q -e written -e opened -e no-mknod &&
		echo "$after" | grep -q "NoNewPrivs:	1" && echo "$after" | grep -q "proc-sys ro"; then
		ok "restore keeps the protections: read-only rootfs and /proc/sys, sysrq, device rules, no_new_privs, bounding set"
	else
		not_ok "restore keeps the protections" "before: $before" "after: $after"
	fi
else
	not_ok "restore keeps the protections: checkpoint, restore" "$out"
fi
cleanup_ctr ck-c ck-d
