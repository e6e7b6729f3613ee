# migrate — a container moved from this VM to another (the issue's
# "migration between two VMs"): tests/vm/run boots a second VM, the peer,
# joined to this one by a private link (10.99.0.1 here, 10.99.0.2 there);
# the peer answers requests on TCP port 7000 (tests/vm/peer.sh). A
# counting container is checkpointed here and restored there under a new
# id, and counts on from where it stopped:
# 1. the images and the bundle copied over the link (tar through nc);
# 2. the memory pages sent straight to a `criu page-server` on the peer
#    (`brig checkpoint --page-server`), the other images copied after, as
#    CRIU documents for disk-less migration and runc users do.
# What the peer sees comes back here: this VM prints every TAP line.
. "$(dirname "$0")/lib.sh"

PEER=10.99.0.2
B=/tmp/mig-bundle # the same path on both
IMG=/tmp/mig-img

if ! command -v criu >/dev/null; then
	skip "migration to a second VM" "no criu in the VM (the host lacks Debian's criu)"
	exit 0
fi
if ! grep -q 'brig\.vm=main' /proc/cmdline; then
	skip "migration to a second VM" "booted without the peer VM (BRIG_VM_PEER=0, or a qemu without -netdev dgram)"
	exit 0
fi

# request LINE [STDIN] — one request to the peer; prints its answer
request() {
	{
		echo "$1"
		cat
	} | timeout 60 nc $PEER 7000 2>&1
}

# on_peer SCRIPT — run SCRIPT on the peer (busybox sh, /tmp its working
# directory); prints its output, returns its status (255: no answer)
on_peer() {
	local out rc
	out=$(printf '%s\n' "$1" | request run)
	rc=$(printf '%s\n' "$out" | tail -n 1 | sed -n 's/^rc \([0-9]*\)$/\1/p')
	printf '%s\n' "$out" | sed '$d'
	[ -n "$rc" ] || {
		echo "(no answer from the peer: '$(printf '%s\n' "$out" | tail -n 1)')"
		return 255
	}
	return "$rc"
}

# to_peer DIR SRC NAME... — NAMEs under SRC here into DIR on the peer
to_peer() {
	local dir=$1 src=$2 out
	shift 2
	out=$(tar -cf - -C "$src" "$@" | request "put $dir")
	[ "$out" = "put 0" ] || {
		echo "$out"
		return 1
	}
}

peer_cleanup() {
	on_peer "for id in mig-b mig-d; do brig delete -f \$id; done >/dev/null 2>&1
		kill \$(cat /tmp/mig-ps.pid 2>/dev/null) 2>/dev/null
		rm -rf $B $IMG /tmp/mig-ps /tmp/mig-ps.pid" >/dev/null 2>&1
}
cleanup() {
	cleanup_ctr mig-a mig-c
	rm -rf $B $IMG $IMG-ps
	peer_cleanup
	request bye </dev/null >/dev/null 2>&1
}
trap cleanup EXIT

# ------------------------------------------------------------- the peer is up
# (it boots beside this VM; by now it has long been waiting): asked for up
# to a minute, a few seconds a try (no answer to ARP: nc fails after 3)
t0=$(date +%s)
up=
while [ $(($(date +%s) - t0)) -lt 60 ]; do
	up=$({
		echo run
		echo 'echo up $(hostname)'
	} | timeout 5 nc $PEER 7000 2>&1 | head -n 1)
	[ "$up" = "up brig-vm-peer" ] && break
	sleep 1
done
if [ "$up" = "up brig-vm-peer" ]; then
	ok "the peer VM answers over the private link ($PEER, after $(($(date +%s) - t0))s)"
else
	not_ok "the peer VM answers over the private link" "$up" "$(ip addr 2>&1)" "$(cat /proc/net/arp)"
	exit 1
fi

# The counting process appends its count to /counts, one a line: after a
# migration, line C+1 of the file there is C+1 when the process went on
# from C, 1 when it started afresh. (The file goes over with the bundle,
# as it was at the dump: CRIU checks the size of a file its process has
# open.)
counting_bundle $B && set_sh $B 'exec </dev/null >/dev/null 2>&1; i=0
while :; do i=$((i + 1)); echo $i >>/counts; usleep 50000; done' || {
	not_ok "make a bundle"
	exit 1
}
count() { tail -n 1 $B/rootfs/counts 2>/dev/null || echo 0; }
wait_count() {
	local i
	for i in $(seq 200); do
		[ "$(count)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# stopped_here ID C — ID is gone from this VM, its count stays at C
stopped_here() {
	! "$BRIG_BIN" state "$1" >/dev/null 2>&1 && [ ! -e "/sys/fs/cgroup/brig/$1" ] &&
		sleep 1 && [ "$(count)" = "$2" ]
}

# RESTORE_THERE ID DIR C — the peer's part: restore ID from the images in
# DIR with the bundle $B, whose counts stopped at C; then prints "next N"
# (line C+1 of the counts), "last N", a second later "later N", "seq ok"
# when line N of the counts is N throughout, and the status.
RESTORE_THERE='
id=$1 dir=$2 c=$3 f='$B'/rootfs/counts
if ! brig restore -d --bundle '$B' --image-path $dir $id </dev/null >/tmp/mig-restore.out 2>&1; then
	echo "brig restore failed:"; cat /tmp/mig-restore.out
	grep -h Error $dir/restore.log | tail -5
	exit 1
fi
for i in $(seq 100); do [ "$(wc -l <$f)" -gt $((c + 2)) ] && break; sleep 0.1; done
echo next $(sed -n "$((c + 1))p" $f)
echo last $(tail -n 1 $f)
sleep 1
echo later $(tail -n 1 $f)
awk "NR != \$1 { exit 1 }" $f && echo seq ok
echo status $(brig state $id | jq -r .status)
'

# moved C OUT — OUT (RESTORE_THERE's) says the process counts on from C
# there: the next count is C+1 (a process started afresh writes 1), every
# count follows the one before, the count grows
moved() {
	local last later
	last=$(echo "$2" | sed -n 's/^last //p')
	later=$(echo "$2" | sed -n 's/^later //p')
	echo "$2" | grep -qx "next $(($1 + 1))" && echo "$2" | grep -qx 'seq ok' &&
		[ "$later" -gt "$last" ] 2>/dev/null && echo "$2" | grep -qx 'status running'
}

# ------------------------------------------- 1. the images and the bundle copied
rm -f $B/rootfs/counts
brig run -d --bundle $B mig-a </dev/null >/dev/null 2>&1
wait_count 5
out=$(brig checkpoint --image-path $IMG mig-a 2>&1)
rc=$?
c=$(count)
if [ $rc -eq 0 ] && stopped_here mig-a "$c"; then
	ok "checkpoint here: the count stopped at $c, the container is gone from this VM"
else
	not_ok "checkpoint here: the count stops, the container is gone" "status $rc: $out" \
		"$(grep -h Error $IMG/dump.log | tail -5)"
fi
kb=$(du -sk $IMG | cut -f1)
if out=$(to_peer /tmp /tmp mig-bundle mig-img); then
	ok "the images (${kb} KB) and the bundle copied to the peer over the link"
else
	not_ok "the images and the bundle copied to the peer" "$out"
fi
out=$(on_peer "set -- mig-b $IMG $c; $RESTORE_THERE")
rc=$?
if [ $rc -eq 0 ] && moved "$c" "$out"; then
	ok "restored on the peer as mig-b: counts on from $c there ($(echo $out | tr '\n' ' '))"
else
	not_ok "restored on the peer as mig-b: counts on from $c there" "status $rc:" "$out"
fi
if out=$(on_peer "brig list | grep 'mig-b .* running' && brig delete -f mig-b && rm -rf $IMG"); then
	ok "the peer lists mig-b running; deleted there"
else
	not_ok "the peer lists mig-b running; deleted there" "$out"
fi
check "this VM never ran mig-b and has no mig-a" sh -c "! $BRIG_BIN state mig-b && ! $BRIG_BIN list | grep -q mig-"
rm -rf $IMG

# ------------------------------------ 2. the pages straight to a criu page-server
# (the peer keeps the bundle of 1.)
out=$(on_peer 'mkdir -p /tmp/mig-ps
criu page-server --images-dir /tmp/mig-ps --port 7001 -o page-server.log </dev/null >/dev/null 2>&1 &
echo $! >/tmp/mig-ps.pid
for i in $(seq 100); do netstat -ltn | grep -q ":7001 " && exit 0; sleep 0.1; done
echo "criu page-server does not listen"; cat /tmp/mig-ps/page-server.log; exit 1')
if [ $? -eq 0 ]; then
	ok "criu page-server listens on the peer ($PEER:7001)"
else
	not_ok "criu page-server listens on the peer" "$out"
fi
rm -f $B/rootfs/counts
brig run -d --bundle $B mig-c </dev/null >/dev/null 2>&1
wait_count 5
out=$(brig checkpoint --page-server $PEER:7001 --image-path $IMG-ps mig-c 2>&1)
rc=$?
c=$(count)
if [ $rc -eq 0 ] && stopped_here mig-c "$c" && ! ls $IMG-ps/pages-*.img >/dev/null 2>&1 &&
	ls $IMG-ps/core-*.img >/dev/null 2>&1; then
	ok "checkpoint --page-server: stopped at $c, gone from here; no pages in the local images"
else
	not_ok "checkpoint --page-server: stopped, gone, no pages here" "status $rc: $out" \
		"$(ls $IMG-ps 2>&1 | tr '\n' ' ')" "$(grep -h Error $IMG-ps/dump.log | tail -5)"
fi
out=$(on_peer 'pid=$(cat /tmp/mig-ps.pid)
for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -0 $pid 2>/dev/null && { echo "the page server still runs"; exit 1; }
ls /tmp/mig-ps/pages-*.img /tmp/mig-ps/pagemap-*.img >/dev/null || exit 1
echo $(du -sk /tmp/mig-ps | cut -f1) KB')
if [ $? -eq 0 ]; then
	ok "the page server wrote the pages on the peer ($out) and ended"
else
	not_ok "the page server wrote the pages on the peer and ended" "$out" \
		"$(on_peer 'tail -5 /tmp/mig-ps/page-server.log')"
fi
if out=$(to_peer /tmp/mig-ps $IMG-ps .) && out=$(to_peer $B/rootfs $B/rootfs counts); then
	ok "the rest of the images copied beside the pages (and the counts into the peer's bundle)"
else
	not_ok "the rest of the images copied beside the pages" "$out"
fi
out=$(on_peer "set -- mig-d /tmp/mig-ps $c; $RESTORE_THERE")
rc=$?
if [ $rc -eq 0 ] && moved "$c" "$out"; then
	ok "restored on the peer as mig-d: counts on from $c there ($(echo $out | tr '\n' ' '))"
else
	not_ok "restored on the peer as mig-d: counts on from $c there" "status $rc:" "$out"
fi
check "the peer deletes mig-d" on_peer 'brig delete -f mig-d && ! brig state mig-d 2>/dev/null'
