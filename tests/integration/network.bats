#!/usr/bin/env bats
# --network and -p (network/, runtime/netsetup.c): the built-in networks
# through Debian's CNI plugins, published ports, brig port, list's
# columns, network ls/create/rm, and nothing left after delete, after a
# create killed at each step, or after bad input.  Traffic goes only to
# loopback and to namespaces the tests make: "the outside" is a network
# namespace behind a veth pair (10.199.N.0/30), "the LAN" another.
# (busybox wget -T crashes: the container's fetches run under timeout.)  The built-in bridges (brig-nat, ...) are removed at the end
# unless they were there before.
load helpers

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	is_runc && skip "brig's own networking"
	[ -x /usr/lib/cni/bridge ] || skip "no CNI plugins (containernetworking-plugins)"
	setup_bundle
	NETDIR=$TESTDIR/net.d
	SERVERS=()
	LINKS=()
	BRIDGES_BEFORE=$(ip -o link show type bridge | awk -F': ' '{print $2}')
	mkdir -p "$TESTDIR/www"
	echo "hello from brig" >"$TESTDIR/www/index.html"
}

teardown() {
	local id br s l
	[ -n "${TESTDIR:-}" ] || return 0
	if [ -d "$ROOT" ]; then
		for id in $(brig list -q 2>/dev/null); do
			brig --network-dir "$NETDIR" delete -f "$id" >/dev/null 2>&1 || true
		done
	fi
	for s in "${SERVERS[@]}"; do kill -9 "$s" 2>/dev/null || true; done
	[ -z "${FORWARD_POLICY:-}" ] || iptables -P FORWARD "$FORWARD_POLICY"
	for l in "${LINKS[@]}"; do ip link delete "$l" 2>/dev/null || true; done
	for br in $(ls "$NETDIR" 2>/dev/null | sed -n 's/\.conflist$//p'); do
		case " $BRIDGES_BEFORE " in *" brig-$br "*) continue ;; esac
		brig --network-dir "$NETDIR" network rm "$br" >/dev/null 2>&1 || true
	done
	teardown_bundle
}

nbrig() { brig --network-dir "$NETDIR" "$@"; }

# A busybox httpd serving $TESTDIR/www in the container, on port 80.
httpd_config() {
	add_mount "$(jq -cn --arg s "$TESTDIR/www" '{destination: "/www", type: "bind", source: $s, options: ["rbind", "ro"]}')"
	set_args httpd -f -p 80 -h /www
}

# start_ctr ID FLAG... — create and start ID with FLAGs.
start_ctr() {
	local id=$1
	shift
	nbrig create --bundle "$BUNDLE" "$@" "$id" </dev/null >"$TESTDIR/$id.out" 2>"$TESTDIR/$id.err" ||
		{ cat "$TESTDIR/$id.err" >&2; return 1; }
	brig start "$id"
}

ctr_ip() { nbrig list -f json | jq -r --arg i "$1" '.[] | select(.id == $i) | .ipv4[0]'; }

# in_ctr ID CMD... — run CMD in container ID (exec), its output on stdout.
in_ctr() { local id=$1; shift; brig exec "$id" "$@"; }

# fetch_from ID URL — the page at URL as container ID sees it, retried for
# a few seconds (a server started a moment ago may not listen yet).
fetch_from() {
	local i out
	for i in $(seq 20); do
		out=$(brig exec "$1" timeout 3 wget -q -O- "$2" 2>/dev/null) && { echo "$out"; return 0; }
		sleep 0.25
	done
	return 1
}

# An httpd on the host (any address), port $HOSTPORT.
host_server() {
	HOSTPORT=$((20000 + RANDOM % 20000))
	busybox httpd -f -p "$HOSTPORT" -h "$TESTDIR/www" </dev/null >/dev/null 2>&1 &
	SERVERS+=($!)
}

# "The outside": a namespace at 10.199.N.2 behind a veth from the host
# (10.199.N.1), serving the page on :8000, routing everything through the
# host (as a LAN whose router the host is would): what the host forwards
# to it gets an answer.
outside() {
	local n=$((RANDOM % 250 + 1)) h=bo$RANDOM
	NETNS=brig-out-$RANDOM
	OUT_HOST=10.199.$n.1
	OUT_IP=10.199.$n.2
	ip netns add "$NETNS"
	ip link add "$h" type veth peer name eth0 netns "$NETNS"
	LINKS+=("$h")
	ip addr add "$OUT_HOST/30" dev "$h"
	ip link set "$h" up
	ip -n "$NETNS" addr add "$OUT_IP/30" dev eth0
	ip -n "$NETNS" link set eth0 up
	ip -n "$NETNS" link set lo up
	ip -n "$NETNS" route add default via "$OUT_HOST"
	ip netns exec "$NETNS" busybox httpd -f -p "$OUT_IP:8000" -h "$TESTDIR/www" \
		</dev/null >/dev/null 2>&1 &
	SERVERS+=($!)
	sleep 0.2
}

# What a container leaves that is its own: a veth, a rule naming it, a
# lease in host-local's directory, its namespace's mount.
assert_no_network_left() {
	local id=$1 bad=0 x
	x=$( (iptables-save; ip6tables-save) 2>/dev/null | grep -F "$id" || true)
	[ -z "$x" ] || { echo "left behind: rules: $x" >&2; bad=1; }
	x=$(grep -rlsF "$id" /run/brig-ipam 2>/dev/null || true)
	[ -z "$x" ] || { echo "left behind: leases: $x" >&2; bad=1; }
	x=$(grep -F "$id" /proc/self/mountinfo || true)
	[ -z "$x" ] || { echo "left behind: mounts: $x" >&2; bad=1; }
	return $bad
}

@test "network nat: -p 127.0.0.1:PORT:80 serves the host, the container's own IP too; port, list" {
	httpd_config
	local port=$((20000 + RANDOM % 20000)) ip
	start_ctr "$CID" --network nat -p "127.0.0.1:$port:80"
	ip=$(ctr_ip "$CID")
	[[ $ip == 10.89.0.* ]]
	for i in $(seq 50); do curl -s -m 2 "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
	[ "$(curl -s -m 5 "http://127.0.0.1:$port/")" = "hello from brig" ]
	[ "$(curl -s -m 5 "http://$ip/")" = "hello from brig" ]
	run brig port "$CID"
	[ "$output" = "80/tcp -> 127.0.0.1:$port" ]
	run nbrig list
	echo "$output"
	[[ ${lines[0]} == *IPV4*PORTS ]]
	[[ $output == *"$CID"*"$ip"*"127.0.0.1:$port->80/tcp"* ]]
	run nbrig list -f json
	[ "$(jq -r --arg i "$CID" '.[] | select(.id == $i) | .ports[0]' <<<"$output")" = "127.0.0.1:$port->80/tcp" ]
	# /etc/hosts names it, resolv.conf has no loopback resolver
	run in_ctr "$CID" cat /etc/hosts /etc/resolv.conf
	[[ $output == *"$ip"* ]]
	! grep -q '^nameserver 127\.' <<<"$output"
	# read-only: they are files of the host's /run
	run in_ctr "$CID" sh -c 'echo 1.2.3.4 x >>/etc/hosts'
	[ "$status" -ne 0 ]
	nbrig delete -f "$CID"
	assert_no_network_left "$CID"
	! curl -s -m 2 "http://127.0.0.1:$port/"
}

@test "network nat: the container reaches the outside through masquerade, the outside its published port, under a FORWARD policy of DROP (Docker's); host-only does not" {
	outside
	FORWARD_POLICY=$(iptables -S FORWARD | awk '$1 == "-P" { print $3 }')
	iptables -P FORWARD DROP
	httpd_config
	local port=$((20000 + RANDOM % 20000))
	start_ctr "$CID-n" --network nat -p "$port:80"
	run fetch_from "$CID-n" "http://$OUT_IP:8000/"
	[ "$output" = "hello from brig" ]
	# and the outside reaches its port published on the host's address
	for i in $(seq 20); do
		ip netns exec "$NETNS" timeout 3 busybox wget -q -O- "http://$OUT_HOST:$port/" >/dev/null 2>&1 && break
		sleep 0.25
	done
	run ip netns exec "$NETNS" timeout 5 busybox wget -q -O- "http://$OUT_HOST:$port/"
	[ "$output" = "hello from brig" ]
	set_args sleep 100
	start_ctr "$CID-h" --network host-only
	run in_ctr "$CID-h" timeout 5 wget -q -O- "http://$OUT_IP:8000/"
	[ "$status" -ne 0 ]
	# but it reaches the host, at its bridge's address
	host_server
	run fetch_from "$CID-h" "http://10.89.1.1:$HOSTPORT/"
	[ "$output" = "hello from brig" ]
}

@test "network host-only attack: CAP_NET_ADMIN and a default route via the host still reach nothing beyond it" {
	outside
	set_args sleep 100
	update_config '.process.capabilities.bounding += ["CAP_NET_ADMIN"] | .process.capabilities.effective += ["CAP_NET_ADMIN"] | .process.capabilities.permitted += ["CAP_NET_ADMIN"]'
	start_ctr "$CID" --network host-only
	in_ctr "$CID" ip route add default via 10.89.1.1
	run in_ctr "$CID" timeout 5 wget -q -O- "http://$OUT_IP:8000/"
	[ "$status" -ne 0 ]
	[ -z "$output" ]
}

@test "network internal: its containers reach each other, not the host (even with CAP_NET_ADMIN and a route)" {
	outside
	host_server
	httpd_config
	start_ctr "$CID-a" --network internal
	set_args sleep 100
	update_config '.process.capabilities.bounding += ["CAP_NET_ADMIN"] | .process.capabilities.effective += ["CAP_NET_ADMIN"] | .process.capabilities.permitted += ["CAP_NET_ADMIN"]'
	start_ctr "$CID-b" --network internal
	local a
	a=$(ctr_ip "$CID-a")
	[[ $a == 10.89.2.* ]]
	run fetch_from "$CID-b" "http://$a/"
	[ "$output" = "hello from brig" ]
	# no route to the host ...
	run in_ctr "$CID-b" timeout 5 wget -q -O- "http://$OUT_HOST:$HOSTPORT/"
	[ "$status" -ne 0 ]
	# ... and with one made by hand, nothing reaches the host either (the
	# host would answer the wrong way, but a packet in is already too
	# much: a rule after brig's counts what got past it)
	iptables -A INPUT -i brig-internal -m comment --comment "count $CID" -j RETURN
	in_ctr "$CID-b" ip route add default dev eth0
	run in_ctr "$CID-b" timeout 3 wget -q -O- "http://$OUT_HOST:$HOSTPORT/"
	local got
	got=$(iptables -L INPUT -v -x -n | awk -v c="count $CID" 'index($0, c) { print $1 }')
	iptables -D INPUT -i brig-internal -m comment --comment "count $CID" -j RETURN
	[ "$status" -ne 0 ]
	[ "$got" = 0 ]
}

@test "network bridged:IFACE: macvlan on the host's interface to a LAN, an address from its upper quarter, a peer on that LAN" {
	# the LAN: a veth pair, the host's end with an address, the peer's end
	# in a namespace of its own (this kernel has no dummy interfaces)
	local dum=bd$RANDOM n=$((RANDOM % 250 + 1))
	NETNS=brig-lan-$RANDOM
	ip netns add "$NETNS"
	ip link add "$dum" type veth peer name lan0 netns "$NETNS"
	LINKS+=("$dum")
	ip addr add "10.198.$n.1/24" dev "$dum"
	ip link set "$dum" up
	ip -n "$NETNS" addr add "10.198.$n.10/24" dev lan0
	ip -n "$NETNS" link set lan0 up
	ip netns exec "$NETNS" busybox httpd -f -p "10.198.$n.10:8000" -h "$TESTDIR/www" \
		</dev/null >/dev/null 2>&1 &
	SERVERS+=($!)
	set_args sleep 100
	start_ctr "$CID" --network "bridged:$dum"
	local ip
	ip=$(ctr_ip "$CID")
	[[ $ip == 10.198.$n.* ]]
	[ "${ip##*.}" -ge 192 ]
	run fetch_from "$CID" "http://10.198.$n.10:8000/"
	[ "$output" = "hello from brig" ]
	[ -f "$NETDIR/bridged-$dum.conflist" ]
	# its file is bridged-IFACE: rm of it sees the container on bridged:IFACE
	run --separate-stderr nbrig network rm "bridged-$dum"
	[ "$status" -eq 1 ]
	[[ $stderr == *"$CID"* ]]
	nbrig delete -f "$CID"
	assert_no_network_left "$CID"
	rm -f "$NETDIR/bridged-$dum.conflist"
}

@test "network none and host" {
	set_args sh -c 'ip -o link | wc -l; cat /etc/hosts'
	run --separate-stderr nbrig run --bundle "$BUNDLE" --network none "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -eq 1 ] # lo alone
	[[ $output == *localhost* ]]
	set_args sh -c 'ip -o link | wc -l'
	run --separate-stderr nbrig run --bundle "$BUNDLE" --network host "$CID"
	[ "$status" -eq 0 ]
	[ "$output" -eq "$(ip -o link | wc -l)" ]
	assert_nothing_left "$CID"
}

@test "network: a stopped service started again gets its networks and published port back; a start whose port was taken meanwhile fails in one line and leaves it stopped, nothing attached" {
	httpd_config
	local port=$((20000 + RANDOM % 20000)) mon i
	nbrig run -d --bundle "$BUNDLE" --log-path '' --network nat -p "127.0.0.1:$port:80" "$CID" \
		</dev/null >"$TESTDIR/out" 2>&1 || { cat "$TESTDIR/out"; false; }
	for i in $(seq 50); do curl -s -m 2 "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
	[ "$(curl -s -m 5 "http://127.0.0.1:$port/")" = "hello from brig" ]
	mon=$(sed -n 2p "$ROOT/$CID/log.info")
	brig stop -t 2 "$CID"
	for i in $(seq 100); do kill -0 "$mon" 2>/dev/null || break; sleep 0.05; done
	! curl -s -m 2 "http://127.0.0.1:$port/"
	# start with no --network-dir: the one it was run with is recorded
	brig start "$CID"
	for i in $(seq 50); do curl -s -m 2 "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
	[ "$(curl -s -m 5 "http://127.0.0.1:$port/")" = "hello from brig" ]
	[ "$(brig port "$CID")" = "80/tcp -> 127.0.0.1:$port" ]
	[[ $(ctr_ip "$CID") == 10.89.0.* ]]
	mon=$(sed -n 2p "$ROOT/$CID/log.info")
	brig stop -t 2 "$CID"
	for i in $(seq 100); do kill -0 "$mon" 2>/dev/null || break; sleep 0.05; done
	# the host takes the port meanwhile: start says so, the container stays stopped
	busybox httpd -f -p "127.0.0.1:$port" -h "$TESTDIR/www" </dev/null >/dev/null 2>&1 &
	SERVERS+=($!)
	sleep 0.2
	run --separate-stderr brig start "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"$port"*"in use"* ]]
	[ "$(state_field "$CID" status)" = stopped ]
	assert_no_network_left "$CID"
	[ -z "$(ip -o link show type veth | grep -F "$CID" || true)" ]
	kill -9 "${SERVERS[-1]}"
	sleep 0.2
	brig start "$CID"
	for i in $(seq 50); do curl -s -m 2 "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
	[ "$(curl -s -m 5 "http://127.0.0.1:$port/")" = "hello from brig" ]
	brig delete -f "$CID"
	assert_no_network_left "$CID"
	assert_nothing_left "$CID"
}

@test "network: two creates racing for addresses never get the same" {
	set_args sleep 100
	local i
	# nat's file is not written yet: the four race to write it too
	for i in 1 2 3 4; do
		nbrig create --bundle "$BUNDLE" --network nat "$CID-$i" </dev/null >/dev/null 2>"$TESTDIR/$i.err" &
	done
	wait
	for i in 1 2 3 4; do ctr_ip "$CID-$i"; done | sort | uniq -d >"$TESTDIR/dups"
	[ ! -s "$TESTDIR/dups" ]
	[ "$(for i in 1 2 3 4; do ctr_ip "$CID-$i"; done | grep -c 10.89.0.)" -eq 4 ]
	for i in 1 2 3 4; do nbrig delete -f "$CID-$i"; assert_no_network_left "$CID-$i"; done
}

@test "network: brig killed at each step of a networked create, then delete --force: nothing left" {
	set_args sleep 100
	local point
	for point in statedir network cgroup clone ready; do
		rc=0
		BRIG_FAULT=$point nbrig create --bundle "$BUNDLE" --network nat -p 127.0.0.1:20999:80 "$CID" \
			</dev/null >"$TESTDIR/fault.out" 2>&1 || rc=$?
		[ "$rc" -ne 0 ]
		nbrig delete --force "$CID" >/dev/null 2>&1 || true
		assert_nothing_left "$CID"
		assert_no_network_left "$CID"
	done
	# and the next one works
	start_ctr "$CID" --network nat
	[[ $(ctr_ip "$CID") == 10.89.0.* ]]
}

@test "network: bad input is one line, exit 1, nothing left" {
	local bad
	for bad in "--network a/b" "--network nope" "--network host --network nat" \
		"-p 8080:80" "--network nat -p 99999:80" "--network nat -p 80" \
		"--network nat -p 1.2.3:80:80" "--network internal -p 8080:80" \
		"--network none --network none"; do
		run --separate-stderr nbrig create --bundle "$BUNDLE" $bad "$CID"
		echo "# $bad: $stderr"
		[ "$status" -eq 1 ]
		assert_error_line
		assert_nothing_left "$CID"
		assert_no_network_left "$CID"
	done
}

@test "network ls, create, rm: a network of one's own, rm refused while attached, its bridge and rules gone after" {
	run nbrig network create lab --type host-only --subnet 10.89.77.0/24
	[ "$status" -eq 0 ]
	run nbrig network ls
	[[ $output == *lab*host-only*10.89.77.0/24*brig-lab* ]]
	[[ $output == *nat*built-in* ]]
	run --separate-stderr nbrig network create lab --type nat
	[ "$status" -eq 1 ]
	assert_error_line
	run --separate-stderr nbrig network create x --type nat --subnet 10.1.2.3/24
	assert_error_line
	set_args sleep 100
	start_ctr "$CID" --network lab
	[[ $(ctr_ip "$CID") == 10.89.77.* ]]
	ip link show brig-lab
	iptables-save | grep -q 'brig network lab'
	run --separate-stderr nbrig network rm lab
	[ "$status" -eq 1 ]
	[[ $stderr == *"$CID"* ]]
	nbrig delete -f "$CID"
	nbrig network rm lab
	! ip link show brig-lab 2>/dev/null
	! iptables-save | grep -q 'brig network lab'
	[ ! -e "$NETDIR/lab.conflist" ]
}

@test "network rootless: nat is refused with one line, before anything is made (none and host: rootless.bats)" {
	command -v setpriv >/dev/null || skip "needs setpriv"
	local uroot=$TESTDIR/uroot
	mkdir -p "$uroot"
	chown 1000:1000 "$uroot"
	run --separate-stderr setpriv --reuid=1000 --regid=1000 --clear-groups \
		"$BRIG" --root "$uroot" --network-dir "$NETDIR" run --bundle "$BUNDLE" --network nat "$CID"
	[ "$status" -eq 1 ]
	assert_error_line
	[[ $stderr == *"needs root"* ]]
	[ -z "$(ls -A "$uroot")" ]
}
