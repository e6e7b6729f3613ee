# apparmor — process.apparmorProfile on a host with AppArmor enabled: the
# container runs confined by the named profile (and the profile's deny
# rule bites), unconfined without one, and an unknown profile fails create
# cleanly.
. "$(dirname "$0")/lib.sh"

B=/tmp/apparmor
trap 'cleanup_ctr aa-on aa-off aa-missing aa-exec aa-join; rm -rf $B /tmp/brig-test.aa' EXIT

en=$(cat /sys/module/apparmor/parameters/enabled 2>&1)
if [ "$en" = Y ] && [ -d /sys/kernel/security/apparmor ]; then
	ok "AppArmor is enabled"
else
	not_ok "AppArmor is enabled" "enabled: $en" "$(cat /sys/kernel/security/lsm 2>&1)"
	exit 1
fi

# Everything a busybox container needs, except /secret.
cat >/tmp/brig-test.aa <<'EOF'
profile brig-test flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  mount,
  umount,
  pivot_root,
  signal,
  ptrace,
  unix,
  deny /secret rw,
}
EOF
out=$(apparmor_parser -r /tmp/brig-test.aa 2>&1)
rc=$?
if [ $rc -eq 0 ] && grep -qx 'brig-test (enforce)' /sys/kernel/security/apparmor/profiles; then
	ok "apparmor_parser loads the brig-test profile"
else
	not_ok "apparmor_parser loads the brig-test profile" "status $rc: $out" \
		"$(cat /sys/kernel/security/apparmor/profiles 2>&1)"
	exit 1
fi

make_bundle $B || {
	not_ok "make a bundle"
	exit 1
}
echo "the secret" >$B/rootfs/secret
set_sh $B 'cat /proc/self/attr/current; cat /secret; echo cat=$?'

# Without a profile: unconfined, /secret readable.
out=$(brig run --bundle $B aa-off 2>&1)
want="unconfined
the secret
cat=0"
if [ "$out" = "$want" ]; then
	ok "without a profile the container is unconfined and reads /secret"
else
	not_ok "without a profile the container is unconfined and reads /secret" "saw:" "$out"
fi

# With the profile: confined, /secret denied.
update_config $B '.process.apparmorProfile = "brig-test"'
out=$(brig run --bundle $B aa-on 2>&1)
case $out in
"brig-test (enforce)"*) ok "with apparmorProfile the container runs as brig-test (enforce)" ;;
*) not_ok "with apparmorProfile the container runs as brig-test (enforce)" "saw:" "$out" ;;
esac
case $out in
*"Permission denied"*"cat=1") ok "brig-test denies reading /secret" ;;
*) not_ok "brig-test denies reading /secret" "saw:" "$out" ;;
esac

# exec: the process brig exec starts outside the container's pid
# namespace opens its AppArmor attribute before it enters the container
# (its /proc has no /proc/self for it there), and is confined too.
set_sh $B 'exec sleep 100'
if brig run -d --bundle $B aa-exec </dev/null >/dev/null 2>&1; then
	out=$(brig exec aa-exec sh -c 'cat /proc/self/attr/current; cat /secret; echo cat=$?' 2>&1)
	case $out in
	"brig-test (enforce)"*"Permission denied"*"cat=1") ok "exec: the process runs as brig-test and is denied /secret" ;;
	*) not_ok "exec: the process runs as brig-test and is denied /secret" "saw:" "$out" ;;
	esac
	# an init joining the container's pid namespace by path: set up
	# outside it, the same
	apid=$(state_field aa-exec pid)
	cp -a $B ${B}-join
	update_config ${B}-join '.linux.namespaces |= map(if .type == "pid" then .path = "/proc/'"$apid"'/ns/pid" else . end)'
	set_sh ${B}-join 'cat /proc/self/attr/current; cat /secret; echo cat=$?'
	out=$(brig run --bundle ${B}-join aa-join 2>&1)
	case $out in
	"brig-test (enforce)"*"Permission denied"*"cat=1") ok "an init joining a pid namespace runs as brig-test" ;;
	*) not_ok "an init joining a pid namespace runs as brig-test" "saw:" "$out" ;;
	esac
	rm -rf ${B}-join
else
	not_ok "exec: the process runs as brig-test and is denied /secret" "run -d failed"
	not_ok "an init joining a pid namespace runs as brig-test" "run -d failed"
fi
set_sh $B 'cat /proc/self/attr/current; cat /secret; echo cat=$?'

# A profile the kernel does not know: create fails, naming it.
update_config $B '.process.apparmorProfile = "brig-no-such-profile"'
out=$(brig run --bundle $B aa-missing 2>&1)
rc=$?
case $rc:$out in
0:*) not_ok "an unknown profile fails create" "status 0: $out" ;;
*brig-no-such-profile*) ok "an unknown profile fails create: $(echo "$out" | head -1)" ;;
*) not_ok "an unknown profile fails create, naming the profile" "status $rc: $out" ;;
esac
if [ ! -e /run/brig/aa-missing ] && [ ! -e /sys/fs/cgroup/brig/aa-missing ]; then
	ok "the failed create left no state or cgroup"
else
	not_ok "the failed create left no state or cgroup" "$(ls -d /run/brig/aa-missing /sys/fs/cgroup/brig/aa-missing 2>&1)"
fi

apparmor_parser -R /tmp/brig-test.aa >/dev/null 2>&1
