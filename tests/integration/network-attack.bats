#!/usr/bin/env bats
# Attacks on --network (network/, runtime/netsetup.c): hostile containers
# (CAP_NET_ADMIN), hostile network configs and names.  Traffic only to
# loopback and to namespaces the tests make.  Everything made is removed
# in teardown, failed or not.
load helpers

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	is_runc && skip "brig's own networking"
	[ -x /usr/lib/cni/bridge ] || skip "no CNI plugins (containernetworking-plugins)"
	setup_bundle
	NETDIR=$TESTDIR/net.d
	NSES=()
	SERVERS=()
	HOSTNS=
}

teardown() {
	local id n s
	[ -n "${TESTDIR:-}" ] || return 0
	if [ -d "$ROOT" ]; then
		for id in $(brig list -q 2>/dev/null); do
			nbrig delete -f "$id" >/dev/null 2>&1 || true
		done
	fi
	for n in $(ls "$NETDIR" 2>/dev/null | sed -n 's/\.conflist$//p'); do
		nbrig network rm "$n" >/dev/null 2>&1 || true
	done
	for s in "${SERVERS[@]}"; do kill -9 "$s" 2>/dev/null || true; done
	# a test-made "host" namespace takes its bridges, veths and rules with it
	for n in "${NSES[@]}"; do ip netns delete "$n" 2>/dev/null || true; done
	teardown_bundle
}

# brig with the test's network directory, in the test's "host" namespace
# when it made one (HOSTNS)
nbrig() {
	if [ -n "$HOSTNS" ]; then
		nsenter --net="/run/netns/$HOSTNS" "$BRIG" --root "$ROOT" --network-dir "$NETDIR" "$@"
	else
		brig --network-dir "$NETDIR" "$@"
	fi
}

@test "network attack: two networks on one bridge (names alike in 10 characters, or --bridge) are refused" {
	nbrig network create frontend-net-a --type internal --subnet 10.89.201.0/24
	run --separate-stderr nbrig network create frontend-net-b --type nat --subnet 10.89.202.0/24
	echo "$stderr"
	[ "$status" -eq 1 ]
	assert_error_line
	[[ $stderr == *brig-frontend-n* ]]
	[ ! -e "$NETDIR/frontend-net-b.conflist" ]
	run --separate-stderr nbrig network create evil --type nat --bridge brig-frontend-n --subnet 10.89.203.0/24
	[ "$status" -eq 1 ]
	assert_error_line
	[ ! -e "$NETDIR/evil.conflist" ]
	# a distinct --bridge is fine
	nbrig network create frontend-net-b --type nat --bridge brig-fe-b --subnet 10.89.202.0/24
}
