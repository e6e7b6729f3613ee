# v2-cgroups-host — cgroupsPath and linux.resources.unified turned against
# the host on a pure cgroup v2 host: a host process (the victim, a sleep)
# in a cgroup of its own must survive whatever the config asks, and
# cgroups brig did not make must stay.
. "$(dirname "$0")/lib.sh"

B=/tmp/v2cg-host
V=/sys/fs/cgroup/v2victim
E=/sys/fs/cgroup/v2empty
victim=
cleanup() {
	cleanup_ctr v2h-pop v2h-uni v2h-ok v2h-upd v2h-empty
	[ -n "$victim" ] && kill -9 $victim 2>/dev/null
	sleep 0.2
	rmdir $V $E 2>/dev/null
	rm -rf $B
}
trap cleanup EXIT

make_bundle $B || {
	not_ok "make a bundle"
	exit 1
}
sleep 1000 </dev/null >/dev/null 2>&1 &
victim=$!
mkdir -p $V
echo $victim >$V/cgroup.procs
untouched() {
	kill -0 $victim 2>/dev/null && grep -qx $victim $V/cgroup.procs
}
update_config $B '.process.args = ["sleep", "100"]'

# ---------------------------- a populated cgroup as cgroupsPath: refused
update_config $B '.linux.cgroupsPath = "/v2victim"'
out=$(brig run -d --bundle $B v2h-pop </dev/null 2>&1)
rc=$?
brig kill --all v2h-pop KILL >/dev/null 2>&1
brig delete -f v2h-pop >/dev/null 2>&1
case "$rc $out" in
"1 brig: linux.cgroupsPath: cgroup /v2victim already has processes"*)
	untouched && ok "cgroupsPath naming a populated cgroup: one line, its process untouched" ||
		not_ok "cgroupsPath naming a populated cgroup: its process untouched"
	;;
*) not_ok "cgroupsPath naming a populated cgroup: refused" "$rc $out" ;;
esac
update_config $B '.linux.cgroupsPath = "../../../v2victim"'
out=$(brig run -d --bundle $B v2h-pop </dev/null 2>&1)
rc=$?
brig delete -f v2h-pop >/dev/null 2>&1
case "$rc $out" in
*"linux.cgroupsPath: \"../../../v2victim\" climbs above the root"*)
	ok "a relative cgroupsPath above the root: refused" ;;
*) not_ok "a relative cgroupsPath above the root: refused" "$rc $out" ;;
esac

# ------------------- an empty one: joined, emptied at delete, left there
mkdir $E
update_config $B '.linux.cgroupsPath = "/v2empty"'
if brig run -d --bundle $B v2h-empty </dev/null >/tmp/v2h.out 2>&1; then
	pid=$(state_field v2h-empty pid)
	grep -qx "$pid" $E/cgroup.procs && ok "an empty existing cgroup is joined" ||
		not_ok "an empty existing cgroup is joined" "$(cat $E/cgroup.procs)"
	brig delete -f v2h-empty
	if [ -d $E ] && [ -z "$(cat $E/cgroup.procs)" ] && ! kill -0 $pid 2>/dev/null; then
		ok "delete -f: its processes are gone, the cgroup brig did not make stays"
	else
		not_ok "delete -f: its processes are gone, the cgroup stays" "$(ls -d $E 2>&1)"
	fi
else
	not_ok "run -d in an empty existing cgroup" "$(cat /tmp/v2h.out)"
fi
update_config $B 'del(.linux.cgroupsPath)'

# ------------------------------------------------------------ unified
for kv in "cgroup.procs=$victim" cgroup.subtree_control=+memory cgroup.type=threaded \
	cgroup.kill=1 cgroup.freeze=1; do
	k=${kv%%=*}
	update_config $B '.linux.resources.unified = {($k): $v}' --arg k "$k" --arg v "${kv#*=}"
	out=$(brig run -d --bundle $B v2h-uni </dev/null 2>&1)
	rc=$?
	brig delete -f v2h-uni >/dev/null 2>&1
	case "$rc $out" in
	"1 brig: linux.resources.unified[\"$k\"]: cgroup core files"*)
		untouched && ok "unified $k: refused, the host process untouched" ||
			not_ok "unified $k: the host process untouched"
		;;
	*) not_ok "unified $k: refused" "$rc $out" ;;
	esac
done
update_config $B '.linux.resources.unified = {"pids.max": "17", "memory.high": "67108864"}'
if brig run -d --bundle $B v2h-ok </dev/null >/tmp/v2h.out 2>&1; then
	check "unified pids.max and memory.high are written" sh -c \
		'[ "$(cat /sys/fs/cgroup/brig/v2h-ok/pids.max)" = 17 ] &&
		 [ "$(cat /sys/fs/cgroup/brig/v2h-ok/memory.high)" = 67108864 ]'
	out=$(echo "{\"unified\": {\"cgroup.procs\": \"$victim\"}}" | brig update -r - v2h-ok 2>&1)
	case "$out" in
	*'linux.resources.unified["cgroup.procs"]: cgroup core files'*)
		untouched && ok "update -r: unified cgroup.procs refused, the host process untouched" ||
			not_ok "update -r: the host process untouched"
		;;
	*) not_ok "update -r: unified cgroup.procs refused" "$out" ;;
	esac
	brig delete -f v2h-ok >/dev/null 2>&1
	untouched && ok "delete -f: the host process survives" ||
		not_ok "delete -f: the host process survives"
else
	not_ok "unified pids.max and memory.high" "$(cat /tmp/v2h.out)"
fi
