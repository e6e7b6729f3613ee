# criu-cgroups — checkpoint and restore with --manage-cgroups-mode full,
# strict and ignore (soft, the default, is every other case's), runc
# beside brig; CRIU's options from a file (the annotation org.criu.config,
# else /etc/criu/runc.conf, as runc).  (criu-flags has the other flags:
# one case would outlast a case's time under TCG.)
. "$(dirname "$0")/lib.sh"

B=/tmp/criu-cgroups
IMG=/tmp/criu-cgroups-img

if ! command -v criu >/dev/null || ! command -v runc >/dev/null; then
	skip "checkpoint and restore: cgroup modes, options file" "criu or runc missing in the VM"
	exit 0
fi
IDS="cf-i cf-j cf-k cf-l cf-m cf-n cf-o cf-p"
runc_clean() {
	runc delete -f rc-a >/dev/null 2>&1
	runc delete -f rc-b >/dev/null 2>&1
	rmdir /sys/fs/cgroup/rc-a /sys/fs/cgroup/rc-b 2>/dev/null
	return 0
}
trap 'cleanup_ctr $IDS; runc_clean; rm -rf $B $IMG* /tmp/criu-cgroups.* /etc/criu/runc.conf' EXIT
counting_bundle $B || {
	not_ok "make a bundle"
	exit 1
}
count() { count_in $B; }
failed() {
	not_ok "$1" "status $2: $3" "$(grep -h Error $4/*.log 2>/dev/null | tail -5)"
}

# ------------------------------------------------- manage-cgroups-mode
set -- full cf-i cf-j ignore cf-m cf-n
while [ $# -gt 0 ]; do
	mode=$1 a=$2 b=$3
	shift 3
	rm -f $B/rootfs/count
	brig run -d --bundle $B $a </dev/null >/dev/null 2>&1
	wait_count_in $B 5
	out=$(brig checkpoint --manage-cgroups-mode $mode --image-path $IMG-$mode $a 2>&1)
	rc=$?
	c=$(count)
	[ $rc -eq 0 ] &&
		out=$(brig restore -d --manage-cgroups-mode $mode --bundle $B --image-path $IMG-$mode $b 2>&1)
	rc=$?
	pid=$(state_field $b pid 2>/dev/null)
	if [ $rc -eq 0 ] && wait_count_in $B $((c + 3)) && grep -q "/$b\$" /proc/$pid/cgroup; then
		ok "--manage-cgroups-mode $mode: restored in its own cgroup ($(cat /proc/$pid/cgroup)), counting on from $c"
	else
		failed "--manage-cgroups-mode $mode: restored in its own cgroup" $rc \
			"$out; $(cat /proc/$pid/cgroup 2>/dev/null)" $IMG-$mode
	fi
	cleanup_ctr $a $b
done

# strict: CRIU makes every cgroup itself and refuses one that exists;
# brig makes the container's first (its limits) and refuses strict in one
# line; runc restores into the checkpointed container's old cgroup (by its
# id), outside the new container's own
strict_cr() {
	rm -f $B/rootfs/count
	$1 run -d --bundle $B $2 </dev/null >/dev/null 2>&1
	wait_count_in $B 5
	$1 checkpoint --manage-cgroups-mode strict --image-path $4 $2 >/tmp/criu-cgroups.out 2>&1 || return 2
	$1 restore -d --manage-cgroups-mode strict --bundle $B --image-path $4 $3 </dev/null \
		>/tmp/criu-cgroups.out 2>&1
}
strict_cr runc rc-a rc-b $IMG-rstrict
diag "runc restore --manage-cgroups-mode strict: status $?, the restored init in $(cat /proc/$(runc state rc-b 2>/dev/null | jq -r .pid)/cgroup 2>/dev/null) (runc's rc-b)"
runc_clean
strict_cr "$BRIG_BIN" cf-k cf-l $IMG-strict
brig_rc=$?
brig_out=$(cat /tmp/criu-cgroups.out)
if [ $brig_rc -eq 1 ] && [ "$(echo "$brig_out" | wc -l)" -eq 1 ] && echo "$brig_out" | grep -q strict &&
	! "$BRIG_BIN" state cf-l >/dev/null 2>&1 && [ ! -e $IMG-strict/restore.log ]; then
	ok "restore --manage-cgroups-mode strict: refused in one line before CRIU runs, nothing left"
else
	not_ok "restore --manage-cgroups-mode strict: refused in one line" "status $brig_rc: $brig_out"
fi
cleanup_ctr cf-k cf-l

# ------------------------------------------------ CRIU's options from a file
printf '#!/bin/sh\necho "$CRTOOLS_SCRIPT_ACTION" >>/tmp/criu-cgroups.actions\n' >/tmp/criu-cgroups.script
chmod +x /tmp/criu-cgroups.script
echo "action-script /tmp/criu-cgroups.script" >/tmp/criu-cgroups.conf
# conf_used ANNOTATION-FILTER ID — does a checkpoint (leave-running) run
# the file's action script?
conf_used() {
	rm -f /tmp/criu-cgroups.actions $B/rootfs/count
	update_config $B "$1"
	brig run -d --bundle $B $2 </dev/null >/dev/null 2>&1
	wait_count_in $B 3
	brig checkpoint --leave-running --image-path $IMG-conf-$2 $2 >/dev/null 2>&1
	cleanup_ctr $2
	grep -q post-dump /tmp/criu-cgroups.actions 2>/dev/null
}
check "org.criu.config names CRIU's options file: used" \
	conf_used '.annotations["org.criu.config"] = "/tmp/criu-cgroups.conf"' cf-o
if conf_used '.annotations["org.criu.config"] = ""' cf-p; then
	not_ok "org.criu.config empty: no options file"
else
	ok "org.criu.config empty: no options file"
fi
mkdir -p /etc/criu
cp /tmp/criu-cgroups.conf /etc/criu/runc.conf
check "no org.criu.config: /etc/criu/runc.conf, as runc" \
	conf_used 'del(.annotations["org.criu.config"])' cf-o
