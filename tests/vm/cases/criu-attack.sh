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
trap 'cleanup_ctr ck-a ck-b; rm -rf $B $IMG' EXIT
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
