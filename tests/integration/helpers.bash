# Helpers shared by the bats integration suite. Load with `load helpers`.
#
# Every test gets its own directory ($TESTDIR, world-traversable so user
# namespace tests can reach the rootfs), its own state root ($ROOT, passed
# as --root to every command), a fresh bundle ($BUNDLE, rootfs copied from
# a busybox tree built once per machine) and a container id ($CID) unique
# enough to look for in /sys/fs/cgroup afterwards.
#
#   BRIG=runc bats tests/integration     runs the suite against runc.

bats_require_minimum_version 1.5.0

INTEGRATION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$INTEGRATION_DIR/../.." && pwd)
BRIG_BUILD_DIR=${BRIG_BUILD_DIR:-$REPO/build}
BRIG=${BRIG:-$BRIG_BUILD_DIR/runtime/brig}
if [[ $BRIG != */* ]]; then
	BRIG=$(command -v "$BRIG" || echo "$BRIG")
fi
BUSYBOX=${BUSYBOX:-/bin/busybox}
ROOTFS_VERSION=3 # bump when the rootfs layout below changes

# True when the suite is pointed at runc (to validate the tests themselves).
is_runc() { [[ $(basename "$BRIG") == runc* ]]; }

# The runtime under test, with this test's state root. A command that hangs
# is killed after BRIG_TIMEOUT seconds (default 60) so one bug cannot stall
# the suite.
BRIG_TIMEOUT=${BRIG_TIMEOUT:-60}
brig() { timeout -k 5 "$BRIG_TIMEOUT" "$BRIG" --root "$ROOT" "$@"; }

# ---------------------------------------------------------------- rootfs

# Build the busybox rootfs once per machine (keyed by the busybox binary
# and ROOTFS_VERSION) and print its path. Safe against parallel callers:
# the tree is built aside and renamed into place.
rootfs_cache() {
	local key dir tmp applet
	key=$({ cat "$BUSYBOX"; echo "$ROOTFS_VERSION"; } | md5sum | cut -c1-12)
	dir=/tmp/brig-test-rootfs-$key
	if [ ! -x "$dir/bin/busybox" ]; then
		tmp=$(mktemp -d /tmp/brig-test-rootfs.XXXXXX)
		mkdir -p "$tmp"/{bin,etc,proc,sys,dev,tmp,root,home/user,var,run,mnt}
		chmod 1777 "$tmp/tmp"
		cp "$BUSYBOX" "$tmp/bin/busybox"
		for applet in $("$BUSYBOX" --list); do
			[ "$applet" = busybox ] || ln -s busybox "$tmp/bin/$applet"
		done
		ln -s bin "$tmp/sbin"
		mkdir -p "$tmp/usr"
		ln -s ../bin "$tmp/usr/bin"
		ln -s ../bin "$tmp/usr/sbin"
		cat >"$tmp/etc/passwd" <<-'EOF'
			root:x:0:0:root:/root:/bin/sh
			user:x:1000:1000:user:/home/user:/bin/sh
			nobody:x:65534:65534:nobody:/nonexistent:/bin/false
		EOF
		cat >"$tmp/etc/group" <<-'EOF'
			root:x:0:
			users:x:100:user
			user:x:1000:
			nogroup:x:65534:
		EOF
		chown 1000:1000 "$tmp/home/user"
		chmod 755 "$tmp"
		if ! mv -T "$tmp" "$dir" 2>/dev/null; then
			rm -rf "$tmp" # somebody else won the race
		fi
	fi
	echo "$dir"
}

# Fresh per-test directories and bundle with `brig spec`'s config, made
# non-interactive: terminal false, args ["true"].
setup_bundle() {
	TESTDIR=$(mktemp -d /tmp/brig-it.XXXXXX)
	chmod 755 "$TESTDIR"
	ROOT=$TESTDIR/root
	BUNDLE=$TESTDIR/bundle
	CID=brigtest-${BATS_TEST_NUMBER}-$RANDOM$RANDOM
	mkdir "$BUNDLE"
	cp -a "$(rootfs_cache)" "$BUNDLE/rootfs"
	"$BRIG" spec --bundle "$BUNDLE"
	update_config '.process.terminal = false | .process.args = ["true"]'
	export TESTDIR ROOT BUNDLE CID
}

# update_config [jq options] FILTER — edit $BUNDLE/config.json in place.
update_config() {
	local f=$BUNDLE/config.json
	jq "$@" <"$f" >"$f.tmp" && mv "$f.tmp" "$f"
}

# json_array ARG... — print the arguments as a JSON array of strings.
json_array() {
	local i=0 filter="" a
	local -a opts=()
	for a in "$@"; do
		opts+=(--arg "a$i" "$a")
		filter+="${filter:+,}\$a$i"
		i=$((i + 1))
	done
	jq -cn "${opts[@]}" "[$filter]"
}

# set_args ARG... — the container's process.args.
set_args() {
	update_config --argjson a "$(json_array "$@")" '.process.args = $a'
}

# run_sh SCRIPT — `brig run` a container executing `sh -c SCRIPT`, through
# bats' run: $status, $output (stdout) and $stderr are set.
run_sh() {
	set_args sh -c "$1"
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	echo "# run_sh: status=$status" >&2
	echo "# stdout: $output" >&2
	echo "# stderr: $stderr" >&2
}

# add_mount JSON — append one entry to .mounts.
add_mount() {
	update_config --argjson m "$1" '.mounts += [$m]'
}

# add_namespace TYPE [PATH] / remove_namespace TYPE
add_namespace() {
	remove_namespace "$1"
	if [ $# -gt 1 ]; then
		update_config --arg t "$1" --arg p "$2" '.linux.namespaces += [{type: $t, path: $p}]'
	else
		update_config --arg t "$1" '.linux.namespaces += [{type: $t}]'
	fi
}
remove_namespace() {
	update_config --arg t "$1" '.linux.namespaces |= map(select(.type != $t))'
}

# share_dir — bind $TESTDIR/shared (world-writable) at /shared in the
# container: a place for the container to leave evidence for the test.
share_dir() {
	mkdir -p "$TESTDIR/shared"
	chmod 777 "$TESTDIR/shared"
	add_mount "$(jq -cn --arg s "$TESTDIR/shared" \
		'{destination: "/shared", type: "bind", source: $s, options: ["rbind", "rw"]}')"
	SHARED=$TESTDIR/shared
}

# create_ctr ID [FLAG...] — `brig create` ID from $BUNDLE with stdio on
# files ($TESTDIR/ID.out, .err), never on bats' pipes (a container holding
# them would make bats wait for it). Returns create's status.
create_ctr() {
	local id=$1
	shift
	brig create --bundle "$BUNDLE" "$@" "$id" \
		</dev/null >"$TESTDIR/$id.out" 2>"$TESTDIR/$id.err"
	local rc=$?
	[ $rc -eq 0 ] || cat "$TESTDIR/$id.err" >&2
	return $rc
}

# run_detached ID [FLAG...] — `brig run -d`, stdio on files as above.
run_detached() {
	local id=$1
	shift
	brig run -d --bundle "$BUNDLE" "$@" "$id" \
		</dev/null >"$TESTDIR/$id.out" 2>"$TESTDIR/$id.err"
	local rc=$?
	[ $rc -eq 0 ] || cat "$TESTDIR/$id.err" >&2
	return $rc
}

# ------------------------------------------------------------- state

# state_field ID FIELD — one field of `brig state ID`.
state_field() {
	brig state "$1" | jq -r ".$2"
}

# wait_status ID STATUS — poll `brig state` (up to ~5 s).
wait_status() {
	local i s
	for i in $(seq 100); do
		s=$(brig state "$1" 2>/dev/null | jq -r .status)
		[ "$s" = "$2" ] && return 0
		sleep 0.05
	done
	echo "container $1 is '$s', expected '$2'" >&2
	return 1
}

# monitor_pid [ID] — the pid of ID's log monitor (run -d --log-path,
# --restart), from log.info in its state directory.
monitor_pid() { sed -n 2p "$ROOT/${1:-$CID}/log.info" 2>/dev/null; }

# wait_monitor_exit PID — the monitor has gone (~5 s)
wait_monitor_exit() {
	local i
	for i in $(seq 100); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	echo "monitor $1 still there" >&2
	return 1
}

# wait_file FILE — poll until FILE exists and is non-empty (up to ~5 s).
wait_file() {
	local i
	for i in $(seq 100); do
		[ -s "$1" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $1" >&2
	return 1
}

# proc_alive PID — the process exists and is not a zombie.
proc_alive() {
	local st
	[ -n "$1" ] && [ "$1" -gt 0 ] 2>/dev/null || return 1
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# --------------------------------------------------- nothing left behind

# Cgroup directories, anywhere under /sys/fs/cgroup, named after $1.
cgroups_named() {
	# find fails when a cgroup vanishes mid-walk (other tests, other
	# runtimes); only its output matters
	find /sys/fs/cgroup -maxdepth 8 -type d -name "*$1*" 2>/dev/null || true
}

# Host mounts that mention $1 in their mount point or root.
mounts_mentioning() {
	awk -v s="$1" 'index($4, s) || index($5, s) { print $5 }' /proc/self/mountinfo
}

# Live processes whose command line mentions $1.
procs_mentioning() {
	local p argv
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		mapfile -d '' -t argv <"/proc/$p/cmdline" 2>/dev/null || continue
		if [[ " ${argv[*]} " == *"$1"* ]]; then
			proc_alive "$p" && echo "$p"
		fi
	done
	return 0
}

# assert_nothing_left ID — no state dir, cgroup, mount or process is left
# for the container ID. Prints what it found and fails.
assert_nothing_left() {
	local id=$1 bad=0 x
	if [ -e "$ROOT/$id" ]; then
		echo "left behind: state dir $ROOT/$id" >&2
		bad=1
	fi
	x=$(cgroups_named "$id")
	if [ -n "$x" ]; then
		echo "left behind: cgroups: $x" >&2
		bad=1
	fi
	x=$(mounts_mentioning "$BUNDLE")
	if [ -n "$x" ]; then
		echo "left behind: mounts: $x" >&2
		bad=1
	fi
	x=$(procs_mentioning "$id")
	if [ -n "$x" ]; then
		echo "left behind: processes: $x" >&2
		bad=1
	fi
	return $bad
}

# assert_error_line — $stderr (from run --separate-stderr) is one line,
# `brig: <message>`. Against runc only checks that something was said.
assert_error_line() {
	echo "# stderr: $stderr" >&2
	[ -n "$stderr" ]
	is_runc && return 0
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ $stderr == "brig: "* ]]
}

# Teardown: force-delete every container under $ROOT, then kill, unmount
# and remove whatever is still around. Fails the test if the runtime left a
# process, mount or cgroup behind after its own delete.
teardown_bundle() {
	local id pid pids=() problems=() m cg
	[ -n "${TESTDIR:-}" ] || return 0
	if [ -d "$ROOT" ]; then
		for id in $(timeout -k 2 10 "$BRIG" --root "$ROOT" list -q 2>/dev/null); do
			pid=$(timeout -k 2 10 "$BRIG" --root "$ROOT" state "$id" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null)
			[ -n "$pid" ] && [ "$pid" != 0 ] && pids+=("$pid")
			timeout -k 2 10 "$BRIG" --root "$ROOT" delete -f "$id" >/dev/null 2>&1 ||
				problems+=("delete -f $id failed")
		done
	fi
	for pid in "${pids[@]}"; do
		if proc_alive "$pid"; then
			problems+=("process $pid survived delete -f")
			kill -9 "$pid" 2>/dev/null || true
		fi
	done
	for pid in $(procs_mentioning "$CID"); do
		problems+=("process $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null))")
		kill -9 "$pid" 2>/dev/null || true
	done
	# Mounts, deepest first.
	for m in $(mounts_mentioning "$TESTDIR" | sort -r); do
		problems+=("mount $m")
		umount -l "$m" 2>/dev/null || true
	done
	for cg in $(cgroups_named "$CID" | sort -r); do
		problems+=("cgroup $cg")
		if [ -f "$cg/cgroup.procs" ]; then
			xargs -r kill -9 <"$cg/cgroup.procs" 2>/dev/null || true
		fi
		rmdir "$cg" 2>/dev/null || true
	done
	[ -n "${NETNS:-}" ] && ip netns delete "$NETNS" 2>/dev/null
	rm -rf "$TESTDIR"
	if [ ${#problems[@]} -gt 0 ]; then
		printf 'teardown: left behind: %s\n' "${problems[@]}" >&2
		return 1
	fi
}

# The console-socket receiver (built by meson; compiled here if missing).
recvtty_bin() {
	local b=$BRIG_BUILD_DIR/tests/integration/recvtty
	if [ ! -x "$b" ]; then
		b=/tmp/brig-test-recvtty-$(md5sum <"$INTEGRATION_DIR/recvtty.c" | cut -c1-12)
		if [ ! -x "$b" ]; then
			cc -O -o "$b.$$" "$INTEGRATION_DIR/recvtty.c" && mv "$b.$$" "$b"
		fi
	fi
	echo "$b"
}

# helper_bin NAME [CFLAGS...] — a test helper built by meson from
# tests/integration/NAME.c, compiled here if the build dir lacks it.
helper_bin() {
	local name=$1 b
	shift
	b=$BRIG_BUILD_DIR/tests/integration/$name
	if [ ! -x "$b" ]; then
		b=/tmp/brig-test-$name-$(md5sum <"$INTEGRATION_DIR/$name.c" | cut -c1-12)
		if [ ! -x "$b" ]; then
			cc -O "$@" -o "$b.$$" "$INTEGRATION_DIR/$name.c" && mv "$b.$$" "$b"
		fi
	fi
	echo "$b"
}
