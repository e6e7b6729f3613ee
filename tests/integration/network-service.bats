#!/usr/bin/env bats
# A real daemon from a distribution's rootfs, as a service on a network:
# Debian's nginx (a bookworm root filesystem built from Debian's packages
# with mmdebstrap, cached: helpers/debian-rootfs), read-only with tmpfs
# where it writes, on nat with a port published on loopback.  With `brig
# spec`'s runc-like capabilities it dies at its first chown; with `brig
# spec --service` (Docker's default set) it serves.
load helpers

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	DEBIAN_ROOTFS=$("$INTEGRATION_DIR/helpers/debian-rootfs" nginx 2>"$BATS_FILE_TMPDIR/why") || DEBIAN_ROOTFS=
	export DEBIAN_ROOTFS
}

setup() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	is_runc && skip "brig's own networking"
	[ -x /usr/lib/cni/bridge ] || skip "no CNI plugins (containernetworking-plugins)"
	[ -n "$DEBIAN_ROOTFS" ] || skip "no Debian rootfs: $(cat "$BATS_FILE_TMPDIR/why")"
	setup_bundle
	NETDIR=$TESTDIR/net.d
	BRIDGES_BEFORE=$(ip -o link show type bridge | awk -F': ' '{print $2}')
}

teardown() {
	[ -n "${TESTDIR:-}" ] || return 0
	for id in $(brig list -q 2>/dev/null); do
		brig --network-dir "$NETDIR" delete -f "$id" >/dev/null 2>&1 || true
	done
	case " $BRIDGES_BEFORE " in
	*" brig-nat "*) ;;
	*) brig --network-dir "$NETDIR" network rm nat >/dev/null 2>&1 || true ;;
	esac
	teardown_bundle
}

# nginx in the foreground on the Debian rootfs, read-only, tmpfs where it
# writes; $1: spec's flag (--service or none)
nginx_bundle() {
	rm -f "$BUNDLE/config.json"
	"$BRIG" spec --bundle "$BUNDLE" $1
	update_config --arg r "$DEBIAN_ROOTFS" '.process.terminal = false
		| .process.args = ["nginx", "-g", "daemon off;"]
		| .root = {path: $r, readonly: true}
		| .mounts += ([ "/var/lib/nginx", "/var/log/nginx", "/run", "/tmp" ]
			| map({destination: ., type: "tmpfs", source: "tmpfs",
				options: ["nosuid", "nodev", "mode=755"]}))'
}

@test "service: Debian's nginx with brig spec's capabilities dies on chown, as the issue says" {
	nginx_bundle ""
	run --separate-stderr brig --network-dir "$NETDIR" run --bundle "$BUNDLE" --network nat "$CID"
	echo "$stderr"
	[ "$status" -ne 0 ]
	[[ $stderr == *'chown("/var/lib/nginx/body", 33) failed (1: Operation not permitted)'* ]]
}

@test "service: Debian's nginx with spec --service on nat with -p 127.0.0.1:PORT:80 serves, and nothing is left after" {
	nginx_bundle --service
	local port=$((20000 + RANDOM % 20000)) i
	brig --network-dir "$NETDIR" run -d --log-path '' --bundle "$BUNDLE" --network nat \
		-p "127.0.0.1:$port:80" "$CID" </dev/null >/dev/null 2>"$TESTDIR/err" || {
		cat "$TESTDIR/err"
		return 1
	}
	for i in $(seq 100); do
		curl -s -m 1 "http://127.0.0.1:$port/" >/dev/null && break
		sleep 0.1
	done
	run curl -s -m 5 "http://127.0.0.1:$port/"
	[[ $output == *"<title>Welcome to nginx!</title>"* ]]
	run brig port "$CID"
	[ "$output" = "80/tcp -> 127.0.0.1:$port" ]
	brig --network-dir "$NETDIR" delete -f "$CID"
	assert_nothing_left "$CID"
	[ -z "$( (iptables-save; ip6tables-save) 2>/dev/null | grep -F "$CID")" ]
	! curl -s -m 2 "http://127.0.0.1:$port/"
}
