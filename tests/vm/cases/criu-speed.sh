# criu-speed — what checkpoint and restore of one container take with
# brig and with runc, here under TCG (printed, never asserted: speed is
# bench/'s; docs/performance.md quotes these lines). Three rounds each, in
# turn: run -d, checkpoint, restore -d under a new id, delete.
. "$(dirname "$0")/lib.sh"

B=/tmp/criu-speed
IMG=/tmp/criu-speed-img
# runc's leftovers too (its cgroups are /ID without a cgroupsPath)
runc_clean() {
	runc delete -f sp-a >/dev/null 2>&1
	runc delete -f sp-b >/dev/null 2>&1
	rmdir /sys/fs/cgroup/sp-a /sys/fs/cgroup/sp-b 2>/dev/null
	return 0
}
trap 'cleanup_ctr sp-a sp-b; runc_clean; rm -rf $B $IMG' EXIT

if ! command -v criu >/dev/null || ! command -v runc >/dev/null; then
	skip "checkpoint and restore timed beside runc" "criu or runc missing in the VM"
	exit 0
fi
counting_bundle $B || exit 1

# centiseconds since boot
now() { cut -d' ' -f1 /proc/uptime | tr -d .; }

# round RUNTIME — one round; prints "CHECKPOINT RESTORE" in centiseconds
round() {
	local rt=$1 t0 t1 t2
	rm -rf $IMG $B/rootfs/count
	$rt run -d --bundle $B sp-a </dev/null >/dev/null 2>&1 || return 1
	wait_count_in $B 3 || return 1
	t0=$(now)
	$rt checkpoint --image-path $IMG sp-a >/dev/null 2>&1 || return 1
	t1=$(now)
	$rt restore -d --bundle $B --image-path $IMG sp-b </dev/null >/dev/null 2>&1 || return 1
	t2=$(now)
	$rt delete -f sp-b >/dev/null 2>&1
	runc_clean
	echo "$((t1 - t0)) $((t2 - t1))"
}

cs() { printf '%d.%02d' $(($1 / 100)) $(($1 % 100)); }
# median of the numbers on stdin
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
line=""
failed=""
for r in 1 2 3 4 5; do
	for rt in "$BRIG_BIN" runc; do
		name=${rt##*/}
		if t=$(round "$rt"); then
			line="$line $name:$(cs ${t% *})/$(cs ${t#* })"
			echo "${t% *}" >>/tmp/criu-speed.$name.c
			echo "${t#* }" >>/tmp/criu-speed.$name.r
		else
			failed="$failed $name"
			cleanup_ctr sp-a sp-b
			runc_clean
		fi
	done
done
diag "checkpoint/restore seconds per round (TCG):$line"
for name in brig runc; do
	[ -s /tmp/criu-speed.$name.c ] || continue
	line="$line; median $name: checkpoint $(cs $(median </tmp/criu-speed.$name.c)) s, restore $(cs $(median </tmp/criu-speed.$name.r)) s"
done
rm -f /tmp/criu-speed.*.[cr]
if [ -z "$failed" ]; then
	ok "checkpoint and restore timed beside runc:$line"
else
	not_ok "checkpoint and restore timed beside runc" "failed:$failed" "$line"
fi
