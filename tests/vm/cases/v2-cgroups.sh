# v2-cgroups — linux.resources and the cgroup commands on a pure cgroup v2
# host: the eBPF device filter, memory, pids, cpu weight, pause/resume
# (cgroup.freeze), update and events --stats.
. "$(dirname "$0")/lib.sh"

B=/tmp/v2-cgroups
trap 'cleanup_ctr v2cg-dev v2cg-res v2cg-live v2cg-oom; rm -rf $B' EXIT

make_bundle $B || {
	not_ok "make a bundle"
	exit 1
}
mkdir -p $B/shared
chmod 777 $B/shared
update_config $B '.mounts += [{destination: "/shared", type: "bind", source: $s, options: ["rbind", "rw"]}]' --arg s $B/shared

# ------------------------------------------------ the eBPF device filter
# CAP_MKNOD to make a node of a device the rules deny (kmsg, c 1:11);
# /dev/null stays allowed by the default rules.
update_config $B '.process.capabilities.bounding += ["CAP_MKNOD"] |
	.process.capabilities.effective += ["CAP_MKNOD"] |
	.process.capabilities.permitted += ["CAP_MKNOD"] |
	.linux.resources.devices = [{allow: false, access: "rwm"},
		{allow: true, type: "c", major: 1, minor: 7, access: "r"}]'
set_sh $B 'mknod /dev/kmsg2 c 1 11 && echo mknod-ok
	head -c0 /dev/kmsg2 2>/dev/null && echo kmsg-opened || echo kmsg-denied
	head -c1 /dev/null && echo null-ok
	head -c1 /dev/full >/dev/null && echo full-read-ok
	echo x 2>/dev/null >/dev/full || echo full-write-denied'
out=$(brig run --bundle $B v2cg-dev 2>&1)
case $out in
*mknod-ok*kmsg-denied*null-ok*full-read-ok*)
	ok "eBPF device filter: a denied node cannot be opened, /dev/null works"
	;;
*) not_ok "eBPF device filter: a denied node cannot be opened, /dev/null works" "$out" ;;
esac
update_config $B 'del(.linux.resources.devices) |
	.process.capabilities.bounding -= ["CAP_MKNOD"] |
	.process.capabilities.effective -= ["CAP_MKNOD"] |
	.process.capabilities.permitted -= ["CAP_MKNOD"]'

# ------------------------------------------- memory, pids, cpu weight
update_config $B '.linux.resources = {memory: {limit: 33554432, reservation: 8388608},
	pids: {limit: 20}, cpu: {shares: 1024, quota: 50000, period: 100000}}'
set_sh $B 'cd /sys/fs/cgroup; echo $(cat memory.max memory.low pids.max cpu.weight cpu.max)'
out=$(brig run --bundle $B v2cg-res 2>&1)
want="33554432 8388608 20 39 50000 100000"
if [ "$out" = "$want" ]; then
	ok "memory.max, memory.low, pids.max, cpu.weight (shares 1024 -> 39), cpu.max"
else
	not_ok "memory.max, memory.low, pids.max, cpu.weight (shares 1024 -> 39), cpu.max" \
		"saw: $out" "wanted: $want"
fi

# ------------------------------------ a live container: pause, update, events
ID=v2cg-live
CG=/sys/fs/cgroup/brig/$ID
set_sh $B 'i=0; while :; do i=$((i+1)); echo $i >/shared/c; sleep 0.1; done'
if ! brig run -d --bundle $B $ID </dev/null >/tmp/v2cg.out 2>&1; then
	not_ok "run -d" "$(cat /tmp/v2cg.out)"
	exit 1
fi
sleep 1
if brig pause $ID && [ "$(state_field $ID status)" = paused ] &&
	[ "$(cat $CG/cgroup.freeze)" = 1 ] && grep -qx "frozen 1" $CG/cgroup.events; then
	a=$(cat $B/shared/c)
	sleep 1
	b=$(cat $B/shared/c)
	if [ "$a" = "$b" ]; then
		ok "pause: cgroup.freeze 1, state paused, the counter stands at $a"
	else
		not_ok "pause: the counter stands still" "$a then $b"
	fi
else
	not_ok "pause: cgroup.freeze 1, state paused" "$(state_field $ID status)" "$(cat $CG/cgroup.events)"
fi
if brig resume $ID && [ "$(state_field $ID status)" = running ]; then
	sleep 1
	c=$(cat $B/shared/c)
	if [ "$c" -gt "${b:-0}" ]; then
		ok "resume: state running, the counter goes on ($c)"
	else
		not_ok "resume: the counter goes on" "${b:-?} then $c"
	fi
else
	not_ok "resume: state running" "$(state_field $ID status)"
fi

if brig update --memory 64m --memory-swap 128m --pids-limit 30 --cpu-share 2048 \
	--cpu-quota 20000 $ID; then
	got="$(cat $CG/memory.max) $(cat $CG/pids.max) $(cat $CG/cpu.weight) $(cat $CG/cpu.max)"
	want="67108864 30 79 20000 100000"
	[ "$got" = "$want" ] && ok "update: memory.max, pids.max, cpu.weight, cpu.max changed live" ||
		not_ok "update: the files changed" "got: $got" "wanted: $want"
	if [ -f $CG/memory.swap.max ]; then
		check "update: memory.swap.max = swap - memory" \
			sh -c "[ \"\$(cat $CG/memory.swap.max)\" = 67108864 ]"
		# swap alone: against the memory.max the cgroup has (as runc,
		# which takes it from its saved config)
		check "update --memory-swap alone: swap - the current memory.max" \
			sh -c "brig update --memory-swap 192m $ID && [ \"\$(cat $CG/memory.swap.max)\" = 134217728 ]"
	fi
else
	not_ok "update"
fi
out=$(echo '{"pids": {"limit": 44}}' | brig update -r - $ID 2>&1)
check "update -r -: pids.max from a resources JSON" sh -c "[ \"\$(cat $CG/pids.max)\" = 44 ]"

out=$(brig events --stats $ID 2>&1)
if echo "$out" | jq -e --arg id $ID '.type == "stats" and .id == $id and
	.data.cpu.usage.total > 0 and .data.memory.usage.usage > 0 and
	.data.memory.usage.limit == 67108864 and .data.pids.limit == 44 and
	.data.pids.current >= 1' >/dev/null 2>&1; then
	ok "events --stats: cpu, memory and pids from the v2 files"
else
	not_ok "events --stats: cpu, memory and pids from the v2 files" "$out"
fi
out=$(brig ps -f json $ID 2>&1)
if [ "$(echo "$out" | jq length 2>/dev/null)" -ge 1 ] 2>/dev/null; then
	ok "ps -f json: $out"
else
	not_ok "ps -f json" "$out"
fi

if brig delete -f $ID && [ ! -e $CG ]; then
	ok "delete -f: the cgroup is gone"
else
	not_ok "delete -f: the cgroup is gone" "$(ls -d $CG 2>&1)"
fi

# ------------------------------------- OOM: exit 137 and an "oom" event
# (memory.events oom_kill, watched with inotify)
# The container waits for /go/now, made once `events` has printed its
# first line (its OOM watch is set up by then): TCG is slow enough that a
# fixed sleep raced it.
mkdir -p /tmp/v2cg-go
rm -f /tmp/v2cg-go/now
update_config $B '.linux.resources = {memory: {limit: 16777216, swap: 16777216}}
  | .mounts += [{destination: "/go", type: "bind", source: "/tmp/v2cg-go", options: ["rbind"]}]'
set_sh $B 'while [ ! -e /go/now ]; do sleep 0.1; done; exec dd if=/dev/zero of=/dev/null bs=64M count=1'
# --keep: the cgroup (and its memory.events) stays until events has read
# it; a run that deletes at once can remove it first under TCG's slowness
brig run --keep --bundle $B v2cg-oom </dev/null >/tmp/v2cg-oom.out 2>&1 &
runpid=$!
wait_status v2cg-oom running
brig events --interval 500ms v2cg-oom >/tmp/v2cg-events 2>&1 &
evpid=$!
i=0
while [ ! -s /tmp/v2cg-events ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
touch /tmp/v2cg-go/now
wait $runpid
rc=$?
i=0
while kill -0 $evpid 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill $evpid 2>/dev/null
if [ $rc -eq 137 ] && grep -qx '{"type":"oom","id":"v2cg-oom"}' /tmp/v2cg-events; then
	ok "OOM: the process is killed (137) and events reports {\"type\":\"oom\"}"
else
	not_ok "OOM: the process is killed (137) and events reports it" "run: $rc $(cat /tmp/v2cg-oom.out)" "$(cat /tmp/v2cg-events)"
fi
brig delete -f v2cg-oom >/dev/null 2>&1
