# criu-flags — runc's checkpoint and restore flags doing what they say,
# and the states runc leaves (runc beside brig on the same bundle): a
# paused container checkpointed and restored; --file-locks; --lazy-pages
# with --page-server and --status-fd (pages served while the restored
# container runs, as runc's own test does it); --auto-dedup after a
# pre-dump.  (criu-cgroups: --manage-cgroups-mode, CRIU's options file.)
. "$(dirname "$0")/lib.sh"

B=/tmp/criu-flags
L=/tmp/criu-flags-lock
IMG=/tmp/criu-flags-img

if ! command -v criu >/dev/null || ! command -v runc >/dev/null; then
	skip "checkpoint and restore flags" "criu or runc missing in the VM"
	exit 0
fi
IDS="cf-a cf-b cf-c cf-d cf-e cf-f cf-g cf-h"
runc_clean() {
	runc delete -f rc-a >/dev/null 2>&1
	runc delete -f rc-b >/dev/null 2>&1
	# runc leaves the cgroup of a paused container it checkpointed
	rmdir /sys/fs/cgroup/rc-a 2>/dev/null
	return 0
}
# (a lazy checkpoint left waiting: its brig and CRIU first, else the
# container stays seized)
trap 'kill $BG $LP 2>/dev/null; pkill -KILL -x criu; sleep 0.5; cleanup_ctr $IDS; runc_clean
rm -rf $B $L $IMG* /tmp/criu-flags.*' EXIT
BG= LP=
counting_bundle $B || {
	not_ok "make a bundle"
	exit 1
}
count() { count_in $B; }
still_count() {
	local a
	a=$(count)
	sleep 1
	[ "$(count)" = "$a" ]
}
failed() {
	not_ok "$1" "status $2: $3" "$(grep -h Error $4/*.log 2>/dev/null | tail -5)"
}

# ------------------------------------------------- a paused container
# checkpoint (pause, checkpoint, restore) with RUNTIME, IDs A and B, to
# IMG-DIR; prints the restored container's status and whether it counts
paused_cr() {
	local rt=$1 a=$2 b=$3 dir=$4 st moving=no
	rm -f $B/rootfs/count
	$rt run -d --bundle $B $a </dev/null >/dev/null 2>&1 || return 1
	wait_count_in $B 5 || return 1
	$rt pause $a || return 1
	$rt checkpoint --image-path $dir $a >/tmp/criu-flags.out 2>&1 || return 1
	$rt restore -d --bundle $B --image-path $dir $b </dev/null >>/tmp/criu-flags.out 2>&1 ||
		return 1
	st=$($rt state $b | jq -r .status)
	still_count || moving=yes
	echo "$st $moving"
}
runc_says=$(paused_cr runc rc-a rc-b $IMG-rp) || runc_says="failed: $(cat /tmp/criu-flags.out)"
runc_clean
brig_says=$(paused_cr "$BRIG_BIN" cf-a cf-b $IMG-p) || brig_says="failed: $(cat /tmp/criu-flags.out)"
case $brig_says in
"paused no" | "running yes") agree=yes ;;
*) agree=no ;;
esac
if [ "$brig_says" = "$runc_says" ] && [ $agree = yes ]; then
	ok "a paused container checkpointed and restored: '$brig_says' (status, counting), as runc"
else
	not_ok "a paused container checkpointed and restored: as runc, its state true" \
		"brig: $brig_says" "runc: $runc_says"
fi
if [ "$(state_field cf-b status)" = paused ]; then
	check "the restored paused container resumes" brig resume cf-b &&
		wait_count_in $B $(($(count) + 3))
fi
cleanup_ctr cf-a cf-b

# ------------------------------------------------------------ file locks
cp -a $B $L
mkdir -p $L/rootfs/lib/x86_64-linux-gnu $L/rootfs/lib64 $L/rootfs/usr/bin
cp /usr/bin/flock $L/rootfs/usr/bin/flock &&
	cp /lib/x86_64-linux-gnu/libc.so.6 $L/rootfs/lib/x86_64-linux-gnu/ &&
	cp /lib64/ld-linux-x86-64.so.2 $L/rootfs/lib64/
set_sh $L 'exec </dev/null >/dev/null 2>&1; exec /usr/bin/flock /lock sh -c '"'"'i=0
while :; do i=$((i + 1)); echo $i >/count.new; mv /count.new /count; usleep 50000; done'"'"
rm -f $L/rootfs/count
brig run -d --bundle $L cf-c </dev/null >/dev/null 2>&1
wait_count_in $L 5
locked() { ! flock -n $L/rootfs/lock true; }
out=$(brig checkpoint --image-path $IMG-l0 cf-c 2>&1)
rc=$?
if [ $rc -ne 0 ] && [ "$(state_field cf-c status)" = running ] && locked &&
	wait_count_in $L $(($(count_in $L) + 3)); then
	ok "checkpoint of a lock holder without --file-locks: refused in one line, it runs on"
else
	not_ok "checkpoint of a lock holder without --file-locks is refused" "status $rc: $out"
fi
out=$(brig checkpoint --file-locks --image-path $IMG-l cf-c 2>&1)
rc=$?
c=$(count_in $L)
if [ $rc -eq 0 ] && ! locked; then
	ok "checkpoint --file-locks: dumped, the lock released with its holder"
else
	failed "checkpoint --file-locks" $rc "$out" $IMG-l
fi
out=$(brig restore -d --file-locks --bundle $L --image-path $IMG-l cf-d 2>&1)
rc=$?
if [ $rc -eq 0 ] && wait_count_in $L $((c + 3)) && locked; then
	ok "restore --file-locks: the count goes on from $c, the lock held again"
else
	failed "restore --file-locks: the count goes on, the lock held" $rc "$out" $IMG-l
fi
cleanup_ctr cf-c cf-d

# ----------------------------------------- lazy pages over a page server
if criu check --feature uffd-noncoop >/dev/null 2>&1; then
	rm -f $B/rootfs/count
	brig run -d --bundle $B cf-e </dev/null >/dev/null 2>&1
	wait_count_in $B 5
	mkfifo /tmp/criu-flags.status
	exec 7<>/tmp/criu-flags.status
	mkdir $IMG-lazy
	brig checkpoint --lazy-pages --page-server 127.0.0.1:27277 --status-fd 7 \
		--image-path $IMG-lazy cf-e >/tmp/criu-flags.lazy 2>&1 &
	BG=$!
	ready=$(timeout 30 dd bs=1 count=1 <&7 2>/dev/null | od -An -tx1 | tr -d ' ')
	exec 7>&-
	c=$(count)
	if [ "$ready" = 00 ] && [ -e $IMG-lazy/inventory.img ] && still_count; then
		ok "checkpoint --lazy-pages: --status-fd says ready (\\0), the container frozen at $c"
	else
		not_ok "checkpoint --lazy-pages: ready on --status-fd" "read '$ready'" \
			"$(cat /tmp/criu-flags.lazy)" "$(grep -v '^(.*) *$' $IMG-lazy/dump.log | tail -40)"
	fi
	criu lazy-pages --page-server --address 127.0.0.1 --port 27277 -D $IMG-lazy \
		-o $IMG-lazy/lazy-pages.log >/dev/null 2>&1 &
	LP=$!
	# its socket, where restore finds it (the images' directory)
	for _ in $(seq 100); do
		[ -S $IMG-lazy/lazy-pages.socket ] && break
		sleep 0.1
	done
	out=$(brig restore -d --lazy-pages --bundle $B --image-path $IMG-lazy cf-f 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && wait_count_in $B $((c + 3)) && [ "$(count)" -gt "$c" ]; then
		ok "restore --lazy-pages: it runs while its pages come, the count goes on from $c"
	else
		failed "restore --lazy-pages: the count goes on" $rc "$out" $IMG-lazy
	fi
	wait $BG
	rc=$?
	BG=
	check "the lazy checkpoint ends once every page is sent (status $rc), its container gone" \
		sh -c "[ $rc -eq 0 ] && ! $BRIG_BIN state cf-e >/dev/null 2>&1"
	wait $LP 2>/dev/null
	LP=
	cleanup_ctr cf-e cf-f
else
	skip "checkpoint --lazy-pages" "criu check: no uffd-noncoop in this kernel"
fi

# ---------------------------------------------------------------- dedup
rm -f $B/rootfs/count
brig run -d --bundle $B cf-g </dev/null >/dev/null 2>&1
wait_count_in $B 5
out=$(brig checkpoint --pre-dump --image-path $IMG-pre cf-g 2>&1)
before=$(du -k $IMG-pre | tail -1 | cut -f1)
out2=$(brig checkpoint --auto-dedup --parent-path ../criu-flags-img-pre --image-path $IMG-dd cf-g 2>&1)
rc=$?
after=$(du -k $IMG-pre | tail -1 | cut -f1)
c=$(count)
if [ $rc -eq 0 ] && [ "$after" -lt "$before" ]; then
	ok "checkpoint --auto-dedup: the parent's pages punched out (${before}k -> ${after}k)"
else
	failed "checkpoint --auto-dedup after a pre-dump" $rc "$out $out2 (${before}k -> ${after}k)" $IMG-dd
fi
out=$(brig restore -d --bundle $B --image-path $IMG-dd cf-h 2>&1)
rc=$?
if [ $rc -eq 0 ] && wait_count_in $B $((c + 3)); then
	ok "restore of a deduplicated checkpoint: the count goes on from $c"
else
	failed "restore of a deduplicated checkpoint" $rc "$out" $IMG-dd
fi
cleanup_ctr cf-g cf-h
