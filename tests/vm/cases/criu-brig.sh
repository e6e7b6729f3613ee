# criu-brig — brig checkpoint and restore through CRIU (issue 22), here
# where CRIU runs (the host's kernel defeats it: its vDSO): a counting
# process checkpointed, its container gone, restored under a new id goes
# on counting from where it stopped; --leave-running; a pre-dump, then a
# dump on top of it.
. "$(dirname "$0")/lib.sh"

B=/tmp/criu-brig
IMG=/tmp/criu-img

if ! command -v criu >/dev/null; then
	skip "brig checkpoint and restore" "no criu in the VM (the host lacks Debian's criu)"
	exit 0
fi
trap 'cleanup_ctr cr-a cr-b cr-c cr-d cr-e cr-f cr-g cr-h cr-i; rm -rf $IMG-h /tmp/criu-hook.* $B $IMG $IMG-lr $IMG-pre $IMG-dump $IMG-2 /tmp/criu-brig2* /tmp/criu-vol*' EXIT
counting_bundle $B || {
	not_ok "make a bundle"
	exit 1
}
count() { count_in $B; }
wait_count() { wait_count_in $B "$1"; }

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

# ------------------------- what the container had comes back, elsewhere
# A bind-mounted volume, cgroup limits, the seccomp filter, capabilities,
# masked paths: checkpointed, then restored from a copy of the bundle
# whose volume is another directory (as on another machine).
B2=/tmp/criu-brig2
rm -rf $B2 $B2-copy /tmp/criu-vol /tmp/criu-vol2
mkdir -p /tmp/criu-vol
make_bundle $B2
update_config $B2 '.mounts += [{destination: "/vol", type: "bind", source: "/tmp/criu-vol", options: ["rbind", "rw"]}]
	| .linux.resources = {memory: {limit: 67108864}, pids: {limit: 64}}'
set_sh $B2 'exec </dev/null >/dev/null 2>&1; i=0
while :; do i=$((i + 1)); echo $i >/vol/count.new; mv /vol/count.new /vol/count; usleep 50000; done'
vol_count() { cat ${1:-/tmp/criu-vol}/count 2>/dev/null || echo 0; }
# proc_line PID FIELD — a line of /proc/PID/status
proc_line() { grep "^$2:" /proc/$1/status; }

brig run -d --bundle $B2 cr-f </dev/null >/dev/null 2>&1
for i in $(seq 100); do [ "$(vol_count)" -ge 5 ] && break; sleep 0.1; done
pid=$(state_field cr-f pid)
want_seccomp=$(proc_line "$pid" Seccomp)
want_caps=$(proc_line "$pid" CapEff)
out=$(brig checkpoint --image-path $IMG-2 cr-f 2>&1)
rc=$?
c=$(vol_count)
cp -a $B2 $B2-copy
cp -a /tmp/criu-vol /tmp/criu-vol2
update_config $B2-copy '.mounts |= map(if .destination == "/vol" then .source = "/tmp/criu-vol2" else . end)'
if [ $rc -eq 0 ] && out=$(brig restore -d --bundle $B2-copy --image-path $IMG-2 cr-g 2>&1); then
	ok "a container with a volume and limits: checkpointed, restored from a copied bundle"
else
	dump_failed "a container with a volume and limits: checkpointed, restored from a copied bundle" \
		$rc "$out" $IMG-2
fi
pid=$(state_field cr-g pid)
for i in $(seq 100); do [ "$(vol_count /tmp/criu-vol2)" -gt "$((c + 2))" ] && break; sleep 0.1; done
if [ "$(vol_count /tmp/criu-vol2)" -gt "$((c + 2))" ] && [ "$(vol_count)" = "$c" ]; then
	ok "the volume: the restored process counts on from $c in the copy's source, not the old one"
else
	not_ok "the volume: counts on in the copy's source" "old $(vol_count), new $(vol_count /tmp/criu-vol2), dumped at $c"
fi
cg=$(sed -n 's/^0:://p' /proc/$pid/cgroup 2>/dev/null)
if [ "$cg" = /brig/cr-g ] && [ "$(cat /sys/fs/cgroup$cg/memory.max)" = 67108864 ] &&
	[ "$(cat /sys/fs/cgroup$cg/pids.max)" = 64 ]; then
	ok "cgroups: the restored process is in the new container's cgroup, its limits set"
else
	not_ok "cgroups: the restored process is in the new container's cgroup" "cgroup '$cg'" \
		"$(cat /sys/fs/cgroup$cg/memory.max /sys/fs/cgroup$cg/pids.max 2>&1)"
fi
if [ "$(proc_line "$pid" Seccomp)" = "$want_seccomp" ] && [ "$(proc_line "$pid" CapEff)" = "$want_caps" ] &&
	[ "$want_seccomp" = "Seccomp:	2" ]; then
	ok "the seccomp filter and the capabilities are back ($want_caps)"
else
	not_ok "the seccomp filter and the capabilities are back" "want $want_seccomp $want_caps" \
		"got $(proc_line "$pid" Seccomp) $(proc_line "$pid" CapEff)"
fi
out=$(brig exec cr-g sh -c 'wc -c </proc/kcore; echo pid1=$(cat /proc/1/comm); cat /vol/count >/dev/null && echo vol' 2>&1)
if [ "$out" = "0
pid1=sh
vol" ]; then
	ok "exec after restore: /proc/kcore masked, its init is pid 1 of its namespace, the volume there"
else
	not_ok "exec after restore: masked paths, pid namespace, volume" "$out"
fi
cleanup_ctr cr-g
rm -rf $B2 $B2-copy /tmp/criu-vol /tmp/criu-vol2 $IMG-2

# ---------------------------------------------------------------- the hooks
# prestart and createRuntime run at restore as runc runs them (CRIU's
# setup-namespaces, brig as its action script): the state they read names
# the new id and the restored init's pid.
rm -f $B/rootfs/count /tmp/criu-hook.*
update_config $B '.hooks = {prestart: [{path: "/bin/sh", args: ["sh", "-c", "cat >/tmp/criu-hook.prestart"]}],
	createRuntime: [{path: "/bin/sh", args: ["sh", "-c", "cat >/tmp/criu-hook.createRuntime"]}]}'
brig run -d --bundle $B cr-h </dev/null >/dev/null 2>&1
wait_count 3
rm -f /tmp/criu-hook.*
out=$(brig checkpoint --image-path $IMG-h cr-h 2>&1) &&
	out=$(brig restore -d --bundle $B --image-path $IMG-h cr-i 2>&1)
rc=$?
pid=$(state_field cr-i pid)
if [ $rc -eq 0 ] && [ "$(jq -r .id /tmp/criu-hook.prestart)" = cr-i ] &&
	[ "$(jq -r .pid /tmp/criu-hook.prestart)" = "$pid" ] &&
	[ "$(jq -r .id /tmp/criu-hook.createRuntime)" = cr-i ]; then
	ok "restore runs prestart and createRuntime with the new id and the restored pid ($pid)"
else
	not_ok "restore runs prestart and createRuntime" "status $rc: $out" \
		"$(cat /tmp/criu-hook.* 2>&1)" "state pid $pid" \
		"$(grep -i -B2 -A2 'script\|brig' $IMG-h/restore.log | tail -20)"
fi
cleanup_ctr cr-h cr-i
update_config $B 'del(.hooks)'
rm -rf /tmp/criu-hook.* $IMG-h

# --------------------------------------------------- an established TCP connection
# The container joins a network namespace by path (external to CRIU: it
# stays), talking to a server in another namespace through a veth pair; it
# is checkpointed with --tcp-established and restored under a new id: the
# server's connection never closes and the count goes on in it.
# iproute2's ip (busybox's sh would take its own applet for "ip")
IP=/usr/sbin/ip
tcp_cleanup() {
	cleanup_ctr cr-t cr-u
	[ -z "${SRV_PID:-}" ] || kill "$SRV_PID" 2>/dev/null
	$IP netns del cr-net 2>/dev/null
	$IP netns del cr-srv 2>/dev/null
	umount /run/netns 2>/dev/null # ip netns add mounted it
	exec 9>&-
	rm -rf $IMG-t /tmp/criu-tcp.out /tmp/criu-tcp.in
}
trap 'tcp_cleanup; cleanup_ctr cr-a cr-b cr-c cr-d cr-e cr-f cr-g cr-h cr-i; rm -rf $IMG-h /tmp/criu-hook.* $B $IMG $IMG-lr $IMG-pre $IMG-dump $IMG-2 /tmp/criu-brig2* /tmp/criu-vol*' EXIT
$IP netns add cr-net && $IP netns add cr-srv &&
	$IP link add crv0 netns cr-net type veth peer name crv1 netns cr-srv &&
	$IP -n cr-net addr add 10.77.0.2/24 dev crv0 && $IP -n cr-net link set crv0 up &&
	$IP -n cr-net link set lo up &&
	$IP -n cr-srv addr add 10.77.0.1/24 dev crv1 && $IP -n cr-srv link set crv1 up
# (busybox's nc closes the connection at the end of its input: a FIFO
# this shell holds open gives it none)
rm -f /tmp/criu-tcp.in
mkfifo /tmp/criu-tcp.in
exec 9<>/tmp/criu-tcp.in
$IP netns exec cr-srv nc -l -p 9000 >/tmp/criu-tcp.out 2>/dev/null </tmp/criu-tcp.in &
SRV_PID=$!
for i in $(seq 50); do
	$IP netns exec cr-srv netstat -ltn 2>/dev/null | grep -q ':9000 ' && break
	sleep 0.1
done
update_config $B '.linux.namespaces |= map(if .type == "network" then .path = "/run/netns/cr-net" else . end)'
set_sh $B 'exec </dev/null >/dev/null 2>&1; i=0
while :; do i=$((i + 1)); echo $i; usleep 100000; done | nc 10.77.0.1 9000'
tcp_count() { tail -n 1 /tmp/criu-tcp.out 2>/dev/null || echo 0; }
run_out=$(brig run -d --bundle $B cr-t </dev/null 2>&1)
for i in $(seq 100); do [ "$(tcp_count)" -ge 5 ] 2>/dev/null && break; sleep 0.1; done
out=$(brig checkpoint --tcp-established --image-path $IMG-t cr-t 2>&1)
rc=$?
c=$(tcp_count)
if [ $rc -eq 0 ] && out=$(brig restore -d --tcp-established --bundle $B --image-path $IMG-t cr-u 2>&1); then
	for i in $(seq 100); do [ "$(tcp_count)" -ge $((c + 5)) ] 2>/dev/null && break; sleep 0.1; done
fi
if [ $rc -eq 0 ] && [ "$(tcp_count)" -ge $((c + 5)) ] 2>/dev/null && kill -0 "$SRV_PID" 2>/dev/null &&
	[ "$(sort -n /tmp/criu-tcp.out | uniq -d | wc -l)" = 0 ]; then
	ok "--tcp-established: the connection to the server survives, the count goes on in it ($c -> $(tcp_count))"
else
	dump_failed "--tcp-established: the connection survives checkpoint and restore" $rc \
		"$out (count $c -> $(tcp_count))" $IMG-t
	diag "run: $run_out" "$($IP netns list 2>&1)" "$(cat /tmp/criu-tcp.out 2>&1 | head -3)" \
		"$(grep -ih 'lock\|iptables\|tcp' $IMG-t/dump.log $IMG-t/restore.log | tail -40)" \
		"$($IP netns exec cr-net iptables-legacy -S 2>&1)"
fi
tcp_cleanup

# ------------------------------------------------------------ stdio pipes
# Its standard output is a pipe to a reader outside (a shim's, a
# monitor's); restore hands CRIU the restore caller's instead, and the
# output goes on there (runc's descriptors.json, brig's stdio.json).
B3=/tmp/criu-brig3
make_bundle $B3
set_sh $B3 'exec </dev/null 2>/dev/null; i=0; while :; do i=$((i + 1)); echo $i; usleep 50000; done'
trap 'tcp_cleanup; cleanup_ctr cr-a cr-b cr-c cr-d cr-e cr-f cr-g cr-h cr-i cr-p cr-q; rm -rf $B3 $IMG-p /tmp/criu-pipe.* $IMG-h /tmp/criu-hook.* $B $IMG $IMG-lr $IMG-pre $IMG-dump $IMG-2 /tmp/criu-brig2* /tmp/criu-vol*' EXIT
pipe_count() { tail -n 1 "$1" 2>/dev/null || echo 0; }
("$BRIG_BIN" run -d --bundle $B3 cr-p </dev/null 2>/dev/null | cat >/tmp/criu-pipe.1) &
for i in $(seq 100); do [ "$(pipe_count /tmp/criu-pipe.1)" -ge 5 ] 2>/dev/null && break; sleep 0.1; done
out=$(brig checkpoint --image-path $IMG-p cr-p 2>&1)
rc=$?
c=$(pipe_count /tmp/criu-pipe.1)
("$BRIG_BIN" restore -d --bundle $B3 --image-path $IMG-p cr-q </dev/null 2>/tmp/criu-pipe.err | cat >/tmp/criu-pipe.2) &
for i in $(seq 100); do [ "$(pipe_count /tmp/criu-pipe.2)" -ge $((c + 3)) ] 2>/dev/null && break; sleep 0.1; done
first=$(head -n 1 /tmp/criu-pipe.2 2>/dev/null)
if [ $rc -eq 0 ] && [ "$(pipe_count /tmp/criu-pipe.2)" -ge $((c + 3)) ] 2>/dev/null &&
	[ "$first" -gt "$c" ] 2>/dev/null && grep -q pipe $IMG-p/stdio.json; then
	ok "stdout a pipe: after restore the output goes on in the restore caller's pipe ($first after $c)"
else
	dump_failed "stdout a pipe: the output goes on in the restore caller's pipe" $rc \
		"$out $(cat /tmp/criu-pipe.err 2>&1) (stopped at $c, then '$first')" $IMG-p
fi
cleanup_ctr cr-p cr-q
wait
rm -rf $B3 $IMG-p /tmp/criu-pipe.*
