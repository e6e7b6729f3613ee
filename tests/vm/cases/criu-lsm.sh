# criu-lsm — restore's --lsm-profile (runc's): a container confined by an
# AppArmor profile comes back under it, or under the one --lsm-profile
# names instead.
. "$(dirname "$0")/lib.sh"

B=/tmp/criu-lsm
IMG=/tmp/criu-lsm-img

if ! command -v criu >/dev/null || ! command -v apparmor_parser >/dev/null ||
	[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ]; then
	skip "restore --lsm-profile" "no criu, apparmor_parser or AppArmor in the VM"
	exit 0
fi
trap 'cleanup_ctr cl-a cl-b cl-c; apparmor_parser -R /tmp/criu-lsm.aa >/dev/null 2>&1; rm -rf $B $IMG* /tmp/criu-lsm.aa' EXIT
for p in brig-criu-a brig-criu-b; do
	cat <<EOP
profile $p flags=(attach_disconnected,mediate_deleted) {
  file, capability, network, mount, umount, pivot_root, signal, ptrace, unix,
}
EOP
done >/tmp/criu-lsm.aa
check "two profiles loaded" apparmor_parser -r /tmp/criu-lsm.aa || exit 1
counting_bundle $B && update_config $B '.process.apparmorProfile = "brig-criu-a"' || {
	not_ok "make a bundle"
	exit 1
}
# profile ID — the AppArmor label of ID's init
profile() { cat /proc/$(state_field "$1" pid)/attr/current 2>/dev/null; }

brig run -d --bundle $B cl-a </dev/null >/dev/null 2>&1
wait_count_in $B 5
check "the container runs under brig-criu-a ($(profile cl-a))" sh -c "cat /proc/$(state_field cl-a pid)/attr/current | grep -q '^brig-criu-a '"
out=$(brig checkpoint --leave-running --image-path $IMG cl-a 2>&1) || not_ok "checkpoint" "$out"
cleanup_ctr cl-a
out=$(brig restore -d --bundle $B --image-path $IMG cl-b 2>&1)
rc=$?
if [ $rc -eq 0 ] && profile cl-b | grep -q '^brig-criu-a '; then
	ok "restore: under the checkpointed profile ($(profile cl-b))"
else
	not_ok "restore: under the checkpointed profile" "status $rc: $out" "label: $(profile cl-b)"
fi
cleanup_ctr cl-b
out=$(brig restore -d --lsm-profile apparmor:brig-criu-b --bundle $B --image-path $IMG cl-c 2>&1)
rc=$?
if [ $rc -eq 0 ] && profile cl-c | grep -q '^brig-criu-b '; then
	ok "restore --lsm-profile apparmor:brig-criu-b: under that one ($(profile cl-c))"
else
	not_ok "restore --lsm-profile: under the profile named" "status $rc: $out" "label: $(profile cl-c)"
fi
cleanup_ctr cl-c
