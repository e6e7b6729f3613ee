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

# A "host" of the test's own: a network namespace (its own bridges and
# iptables, fresh: no rule of anyone else's) where brig and its plugins
# run, and "the outside" behind a veth from it at 10.199.N.2, counting
# in its INPUT what reaches it on tcp/8000.
own_host() {
	local n=$((RANDOM % 250 + 1))
	HOSTNS=brig-atkh-$RANDOM
	OUTNS=brig-atko-$RANDOM
	NSES+=("$HOSTNS" "$OUTNS")
	ip netns add "$HOSTNS"
	ip netns add "$OUTNS"
	ip -n "$HOSTNS" link set lo up
	ip netns exec "$HOSTNS" sysctl -qw net.ipv4.ip_forward=1
	ip -n "$HOSTNS" link add ho0 type veth peer name eth0 netns "$OUTNS"
	OUT_HOST=10.199.$n.1
	OUT_IP=10.199.$n.2
	ip -n "$HOSTNS" addr add "$OUT_HOST/30" dev ho0
	ip -n "$HOSTNS" link set ho0 up
	ip -n "$OUTNS" addr add "$OUT_IP/30" dev eth0
	ip -n "$OUTNS" link set eth0 up
	ip -n "$OUTNS" link set lo up
	ip -n "$OUTNS" route add default via "$OUT_HOST"
	ip netns exec "$OUTNS" iptables -A INPUT -p tcp --dport 8000 -m comment --comment seen -j ACCEPT
}

out_seen() { ip netns exec "$OUTNS" iptables -L INPUT -v -x -n | awk 'index($0, "seen") { print $1 }'; }

cap_net_admin() {
	update_config '.process.capabilities.bounding += ["CAP_NET_ADMIN"] | .process.capabilities.effective += ["CAP_NET_ADMIN"] | .process.capabilities.permitted += ["CAP_NET_ADMIN"]'
}

@test "network attack: internal, first on the host, then nat: a container on internal reaches no nat container's published port through the host's address (nat's ACCEPTs came before brig's DROPs)" {
	own_host
	mkdir -p "$TESTDIR/pub"
	echo pub >"$TESTDIR/pub/index.html"
	local port=$((20000 + RANDOM % 20000)) mac i
	nbrig network create iso --type internal --subnet 10.89.211.0/24
	nbrig network create natx --type nat --subnet 10.89.212.0/24
	set_args sleep 100
	cap_net_admin
	nbrig create --bundle "$BUNDLE" --network iso "$CID-a" </dev/null >/dev/null
	nbrig start "$CID-a"
	# then the first nat container: its network's rules go above internal's
	add_mount "$(jq -cn --arg s "$TESTDIR/pub" '{destination: "/www", type: "bind", source: $s, options: ["rbind", "ro"]}')"
	set_args httpd -f -p 80 -h /www
	nbrig create --bundle "$BUNDLE" --network natx -p "$port:80" "$CID-b" </dev/null >/dev/null
	nbrig start "$CID-b"
	for i in $(seq 30); do ip netns exec "$HOSTNS" curl -s -m 2 "http://$OUT_HOST:$port/" >/dev/null && break; sleep 0.1; done
	# the host's address through the bridge (its MAC: a container learns
	# it from the bridge's own IPv6 multicast; the test reads it)
	mac=$(ip -n "$HOSTNS" -j link show brig-iso | jq -r '.[0].address')
	nbrig exec "$CID-a" ip route add "$OUT_HOST/32" dev eth0
	nbrig exec "$CID-a" arp -i eth0 -s "$OUT_HOST" "$mac"
	# (the answer has no way back: the host has no route to internal's
	# subnet; what matters is that nothing gets in: a rule counts what
	# the host sends on to nat's bridge from internal's subnet)
	ip netns exec "$HOSTNS" iptables -t mangle -A POSTROUTING -s 10.89.211.0/24 -o brig-natx -m comment --comment iso-seen -j RETURN
	run nbrig exec "$CID-a" timeout 3 wget -q -O- "http://$OUT_HOST:$port/"
	local got
	got=$(ip netns exec "$HOSTNS" iptables -t mangle -L POSTROUTING -v -x -n | awk 'index($0, "iso-seen") { print $1 }')
	echo "$output; reached the nat container: $got packets"
	[ "$status" -ne 0 ]
	[ "$got" = 0 ]
}

@test "network attack: a nat container with CAP_NET_ADMIN cannot reach the host's 127.0.0.1 services through the bridge (route_localnet, CVE-2020-8558)" {
	own_host
	mkdir -p "$TESTDIR/www"
	echo "loopback only" >"$TESTDIR/www/index.html"
	local port=$((20000 + RANDOM % 20000))
	ip netns exec "$HOSTNS" busybox httpd -f -p "127.0.0.1:$port" -h "$TESTDIR/www" </dev/null >/dev/null 2>&1 &
	SERVERS+=($!)
	mkdir -p "$TESTDIR/pub"
	echo pub >"$TESTDIR/pub/index.html"
	nbrig network create natl --type nat --subnet 10.89.213.0/24
	add_mount "$(jq -cn --arg s "$TESTDIR/pub" '{destination: "/www", type: "bind", source: $s, options: ["rbind", "ro"]}')"
	set_args httpd -f -p 80 -h /www
	cap_net_admin
	# a port published on the host's loopback: portmap sets route_localnet
	nbrig create --bundle "$BUNDLE" --network natl -p "127.0.0.1:$((port + 1)):80" "$CID" </dev/null
	nbrig start "$CID"
	[ "$(ip netns exec "$HOSTNS" cat /proc/sys/net/ipv4/conf/brig-natl/route_localnet)" = 1 ]
	# the container's own loopback out of the way, 127.0.0.1 via the host
	nbrig exec "$CID" ip route del local 127.0.0.1 dev lo table local
	nbrig exec "$CID" ip route del local 127.0.0.0/8 dev lo table local
	nbrig exec "$CID" ip route add 127.0.0.1/32 via 10.89.213.1 dev eth0
	# (the answer, from 127.0.0.1, is a martian to the container's IP
	# layer, but not to a packet socket: what matters is that nothing
	# gets in; a rule in the host's INPUT counts what does)
	ip netns exec "$HOSTNS" iptables -A INPUT -i brig-natl -d 127.0.0.1 -p tcp --dport "$port" -m comment --comment lo-seen -j ACCEPT
	run nbrig exec "$CID" timeout 3 wget -q -O- "http://127.0.0.1:$port/"
	echo "$output"
	local got
	got=$(ip netns exec "$HOSTNS" iptables -L INPUT -v -x -n | awk 'index($0, "lo-seen") { print $1 }')
	echo "reached the host's loopback service: $got packets"
	[ "$status" -ne 0 ]
	[ "$got" = 0 ]
	# the host still reaches the published port on its loopback (the
	# rule is not in the way of portmap's own use of route_localnet)
	local i
	for i in $(seq 30); do ip netns exec "$HOSTNS" curl -s -m 2 "http://127.0.0.1:$((port + 1))/" >/dev/null && break; sleep 0.1; done
	[ "$(ip netns exec "$HOSTNS" curl -s -m 3 "http://127.0.0.1:$((port + 1))/")" = pub ]
}

@test "network attack: --parent, --bridge and bridged:IFACE that are not interface names (JSON in them) are refused, no file written" {
	local bad
	for bad in '--type bridged --parent eth0","mode":"passthru --subnet 10.89.214.0/24' \
		'--type bridged --parent a\b --subnet 10.89.214.0/24' \
		'--type nat --bridge br"x --subnet 10.89.214.0/24' \
		'--type nat --bridge br:x --subnet 10.89.214.0/24'; do
		eval "set -- $(printf '%q ' $bad)"
		run --separate-stderr nbrig network create inj "$@"
		echo "# $bad: $stderr"
		[ "$status" -eq 1 ]
		assert_error_line
		[ ! -e "$NETDIR/inj.conflist" ]
	done
	set_args true
	run --separate-stderr nbrig create --bundle "$BUNDLE" --network 'bridged:a"b' "$CID"
	[ "$status" -eq 1 ]
	assert_error_line
	[ -z "$(ls "$NETDIR" 2>/dev/null)" ]
}

@test "network attack: network rm of a conflist brig did not make leaves its bridge (another tool's) alone" {
	own_host
	ip -n "$HOSTNS" link add shared0 type bridge
	mkdir -p "$NETDIR"
	cat >"$NETDIR/foreign.conflist" <<-'JSON'
	{"cniVersion": "1.0.0", "name": "foreign", "plugins": [{"type": "bridge", "bridge": "shared0",
	 "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.89.215.0/24"}]], "dataDir": "/run/brig-ipam"}}]}
	JSON
	nbrig network rm foreign
	[ ! -e "$NETDIR/foreign.conflist" ]
	ip -n "$HOSTNS" link show shared0
}

@test "network attack: internal, over IPv6: the bridge's link-local address gets nothing to the host" {
	[ -e /proc/net/if_inet6 ] || skip "no IPv6"
	own_host
	local port=$((20000 + RANDOM % 20000)) ll got
	mkdir -p "$TESTDIR/www"
	echo host >"$TESTDIR/www/index.html"
	ip netns exec "$HOSTNS" busybox httpd -f -p "[::]:$port" -h "$TESTDIR/www" </dev/null >/dev/null 2>&1 &
	SERVERS+=($!)
	set_args sleep 100
	nbrig create --bundle "$BUNDLE" --network internal "$CID" </dev/null
	nbrig start "$CID"
	for i in $(seq 30); do
		ll=$(ip -n "$HOSTNS" -j addr show brig-internal | jq -r '.[0].addr_info[] | select(.scope == "link" and .family == "inet6") | .local')
		[ -n "$ll" ] && break
		sleep 0.1
	done
	[ -n "$ll" ]
	ip netns exec "$HOSTNS" ip6tables -A INPUT -i brig-internal -p tcp --dport "$port" -m comment --comment ll-seen -j ACCEPT
	run nbrig exec "$CID" timeout 3 wget -q -O- "http://[$ll%eth0]:$port/"
	got=$(ip netns exec "$HOSTNS" ip6tables -L INPUT -v -x -n | awk 'index($0, "ll-seen") { print $1 }')
	echo "$output; reached the host: $got packets"
	[ "$status" -ne 0 ]
	[ "$got" = 0 ]
}

# create_rc ID FLAG... — create ID (its output in $TESTDIR/ID.err: a
# created init holds no pipe of bats'); the status in $rc
create_rc() {
	local id=$1
	shift
	rc=0
	nbrig create --bundle "$BUNDLE" "$@" "$id" </dev/null >"$TESTDIR/$id.out" 2>"$TESTDIR/$id.err" || rc=$?
	cat "$TESTDIR/$id.err"
}

@test "network attack: -p of a host port already taken (a host service's, or another container's) is refused, not hijacked" {
	own_host
	local port=$((20000 + RANDOM % 20000))
	mkdir -p "$TESTDIR/www"
	echo "the host's own" >"$TESTDIR/www/index.html"
	ip netns exec "$HOSTNS" busybox httpd -f -p "127.0.0.1:$port" -h "$TESTDIR/www" </dev/null >/dev/null 2>&1 &
	SERVERS+=($!)
	nbrig network create natp --type nat --subnet 10.89.216.0/24
	set_args sleep 100
	sleep 0.2
	# the host's service on 127.0.0.1:PORT: DNAT would take its connections
	create_rc "$CID-a" --network natp -p "127.0.0.1:$port:80"
	[ "$rc" -eq 1 ]
	[ "$(wc -l <"$TESTDIR/$CID-a.err")" -eq 1 ]
	grep -q "in use" "$TESTDIR/$CID-a.err"
	[ "$(ip netns exec "$HOSTNS" curl -s -m 3 "http://127.0.0.1:$port/")" = "the host's own" ]
	# a port another container publishes (no socket: portmap's DNAT only)
	create_rc "$CID-b" --network natp -p "$((port + 1)):80"
	[ "$rc" -eq 0 ]
	create_rc "$CID-c" --network natp -p "127.0.0.1:$((port + 1)):80"
	[ "$rc" -eq 1 ]
	[ "$(wc -l <"$TESTDIR/$CID-c.err")" -eq 1 ]
	grep -q "$CID-b" "$TESTDIR/$CID-c.err"
	# udp and tcp are two ports
	create_rc "$CID-d" --network natp -p "$((port + 1)):80/udp"
	[ "$rc" -eq 0 ]
}
