#!/usr/bin/env bats
# Rootless Podman driving brig: a user of the test's own (subordinate ids
# in /etc/subuid and /etc/subgid, both restored afterwards), its own HOME
# with containers.conf (default_ulimits as this host needs, no network:
# /dev/net/tun is 0600 here, so slirp4netns cannot work), vfs storage,
# and XDG_RUNTIME_DIR.  Podman makes the user namespace and runs the
# runtime in it as uid 0 without --root: brig must keep its state under
# XDG_RUNTIME_DIR and go on without a cgroup (issue 18, item 3).
#
#   COMPAT_RUNTIME=runc bats tests/compat/podman-rootless.bats
#
# The user's processes (podman's pause process, conmon), files and ids
# are removed by teardown_file, even when a test fails.

load ../integration/helpers
load compat

PODMAN=/usr/bin/podman
IMAGE=localhost/brigcompat:busybox

# as the user, in their session
ru() {
	(cd "$PH" && timeout -k 5 120 runuser -u "$PU" -- env HOME="$PH" \
		XDG_RUNTIME_DIR="$PXDG" USER="$PU" LOGNAME="$PU" "$@")
}
p() { ru "$PODMAN" --runtime "$PRT" "$@"; }

setup_file() {
	[ -x "$PODMAN" ] || skip "podman is not installed (scripts/deps compat)"
	command -v useradd >/dev/null && command -v runuser >/dev/null || skip "needs useradd, runuser"
	unshare -U true 2>/dev/null || skip "user namespaces are disabled"
	PH=$(mktemp -d /tmp/brig-prl.XXXXXX)
	chmod 755 "$PH"
	PU=brigprl$RANDOM
	for f in subuid subgid; do
		if [ -e /etc/$f ]; then cp -p /etc/$f "$PH/$f.bak"; fi
	done
	useradd -M -d "$PH" -U -s /bin/sh "$PU"
	PUID=$(id -u "$PU")
	echo "$PU:700000000:65536" >>/etc/subuid
	echo "$PU:700000000:65536" >>/etc/subgid
	PXDG=$PH/xdg
	mkdir -p "$PXDG" "$PH/.config/containers"
	chmod 700 "$PXDG"
	cat >"$PH/.config/containers/containers.conf" <<-EOF
		[containers]
		default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
		netns = "none"
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
	EOF
	printf '[storage]\ndriver = "vfs"\n' >"$PH/.config/containers/storage.conf"
	echo 'unqualified-search-registries = []' >"$PH/.config/containers/registries.conf"
	# the runtime, where the user can run it
	case ${COMPAT_RUNTIME:-brig} in
	brig) cp "$BRIG" "$PH/runtime" ;;
	*) cp "$(command -v "$COMPAT_RUNTIME")" "$PH/runtime" ;;
	esac
	chmod 755 "$PH/runtime"
	PRT=$PH/runtime
	tar -C "$(rootfs_cache)" -cf "$PH/rootfs.tar" .
	chown -R "$PU:$PU" "$PH"
	export PH PU PUID PXDG PRT
	ru "$PODMAN" import "$PH/rootfs.tar" "$IMAGE" >/dev/null
}

teardown_file() {
	[ -n "${PH:-}" ] || return 0
	if [ -n "${PU:-}" ]; then
		ru "$PODMAN" rm -f -a -t 0 >/dev/null 2>&1
		pkill -KILL -u "$PU" 2>/dev/null
		sleep 0.3
		userdel "$PU" 2>/dev/null
	fi
	for f in subuid subgid; do
		if [ -e "$PH/$f.bak" ]; then cp -p "$PH/$f.bak" /etc/$f; else rm -f /etc/$f; fi
	done
	compat_cleanup "$PH"
}

@test "rootless podman run: echo hi, the user namespace podman made, state under XDG_RUNTIME_DIR" {
	run p run --rm "$IMAGE" sh -c 'echo hi; id -u; head -1 /proc/self/uid_map'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hi ]
	[ "${lines[1]}" = 0 ]
	[ "$(echo ${lines[2]})" = "0 $PUID 1" ]
	# brig kept its state where runc keeps its own, not in /run/brig
	[ "${COMPAT_RUNTIME:-brig}" != brig ] || [ -d "$PXDG/brig" ]
}

@test "rootless podman run: exit code, -e, -w, --user, --hostname, ulimits, read-only" {
	run p run --rm -e FOO=bar -w /tmp --user 1000:1000 --hostname rlhost --read-only "$IMAGE" \
		sh -c 'echo $FOO; pwd; id -u; hostname; ulimit -n; touch /x 2>/dev/null || echo ro; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = bar ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = rlhost ]
	[ "${lines[4]}" = 1024 ]
	[ "${lines[5]}" = ro ]
}

@test "rootless podman: -d, exec, stop, rm" {
	local id
	id=$(p run -d "$IMAGE" sleep 100)
	run p exec "$id" sh -c 'echo in; id -u'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = in ]
	run p stop -t 1 "$id"
	[ "$status" -eq 0 ]
	run p rm "$id"
	[ "$status" -eq 0 ]
	run p ps -aq
	[ -z "$output" ]
}
