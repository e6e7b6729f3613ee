# tests/vm/cases/lib.sh — shared by the VM test cases (busybox sh).
#
# A case is tests/vm/cases/NAME.sh: a busybox sh script that sources this
# file and reports with ok / not_ok / check / skip. Numbering is shared by
# all cases of one boot (a counter file kept by /init), so a case never
# prints numbers or a plan itself. /init runs the cases in name order, each
# under a timeout, and afterwards checks that the case left no container
# state, cgroup or mount behind.
#
# In the VM: brig (the binary under test), jq, busybox applets, strace
# (when the host had it), apparmor_parser; criu when the host had it, with
# iproute2's ip and GNU tar (ahead of busybox's in PATH) and the modules it
# needs (sock_diag, nf_tables, conntrack netlink, veth: loaded on demand via
# /sbin/modprobe); cgroup2 alone at /sys/fs/cgroup; securityfs at
# /sys/kernel/security; the loopback up. Booted by tests/vm/run with a
# peer VM (with criu: brig.vm=main on the command line), eth0 is
# 10.99.0.1/24 on a private link to it, 10.99.0.2 (cases/migrate.sh).
#
#   . "$(dirname "$0")/lib.sh"
#   make_bundle /tmp/b                     # busybox rootfs + brig spec
#   update_config /tmp/b '.process.args = ["true"]'
#   check "container sees X" sh -c '...'   # ok when the command succeeds

TAP_DIR=${TAP_DIR:-/run/vm-tap}
BRIG_BIN=${BRIG_BIN:-/usr/bin/brig}
BRIG_TIMEOUT=${BRIG_TIMEOUT:-60}

_tap_next() {
	local n
	n=$(cat "$TAP_DIR/n" 2>/dev/null || echo 0)
	n=$((n + 1))
	echo "$n" >"$TAP_DIR/n"
	echo "$n"
}

# diag MSG... — TAP comment lines, one per line of each MSG.
diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

ok() {
	echo "ok $(_tap_next) - $CASE: $*"
}

# not_ok NAME [DIAG...]
not_ok() {
	local name=$1
	shift
	echo "not ok $(_tap_next) - $CASE: $name"
	echo x >>"$TAP_DIR/failed"
	[ $# -eq 0 ] || diag "$@"
}

skip() {
	echo "ok $(_tap_next) - $CASE: $1 # SKIP ${2:-}"
}

# check NAME CMD... — ok when CMD succeeds; otherwise not ok with its output.
check() {
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "$name"
	else
		not_ok "$name" "command: $*" "status $rc, output:" "$out"
	fi
	return $rc
}

# brig ARGS... — the binary under test, killed if it hangs.
brig() {
	timeout "$BRIG_TIMEOUT" "$BRIG_BIN" "$@"
}

# A busybox tree for containers, built once per boot.
vm_rootfs() {
	local r=/run/vm-rootfs a
	if [ ! -x $r/bin/busybox ]; then
		mkdir -p $r.tmp/bin $r.tmp/etc $r.tmp/proc $r.tmp/sys $r.tmp/dev \
			$r.tmp/tmp $r.tmp/root $r.tmp/run $r.tmp/mnt
		chmod 1777 $r.tmp/tmp
		cp /bin/busybox $r.tmp/bin/busybox
		for a in $(/bin/busybox --list); do
			[ "$a" = busybox ] || ln -s busybox "$r.tmp/bin/$a"
		done
		ln -s bin $r.tmp/sbin
		echo 'root:x:0:0:root:/root:/bin/sh' >$r.tmp/etc/passwd
		echo 'root:x:0:' >$r.tmp/etc/group
		mv $r.tmp $r
	fi
	echo $r
}

# make_bundle DIR — DIR/rootfs (busybox) and DIR/config.json from
# `brig spec`, made non-interactive (terminal false, args ["true"]).
make_bundle() {
	mkdir -p "$1"
	cp -a "$(vm_rootfs)" "$1/rootfs"
	(cd "$1" && "$BRIG_BIN" spec) || return 1
	update_config "$1" '.process.terminal = false | .process.args = ["true"]'
}

# update_config DIR FILTER [jq options...] — edit DIR/config.json in place.
update_config() {
	local f=$1/config.json filter=$2
	shift 2
	jq "$@" "$filter" <"$f" >"$f.tmp" && mv "$f.tmp" "$f"
}

# set_sh DIR SCRIPT — process.args = ["sh", "-c", SCRIPT].
set_sh() {
	update_config "$1" '.process.args = ["sh", "-c", $s]' --arg s "$2"
}

# state_field ID FIELD — one field of `brig state ID`.
state_field() {
	brig state "$1" | jq -r ".$2"
}

# wait_status ID STATUS — poll `brig state` (up to ~10 s; TCG is slow).
wait_status() {
	local i s
	for i in $(seq 100); do
		s=$(brig state "$1" 2>/dev/null | jq -r .status)
		[ "$s" = "$2" ] && return 0
		sleep 0.1
	done
	echo "container $1 is '$s', expected '$2'" >&2
	return 1
}

# cleanup_ctr ID... — force-delete containers (for traps).
cleanup_ctr() {
	local id
	for id in "$@"; do
		"$BRIG_BIN" delete -f "$id" >/dev/null 2>&1
	done
	return 0
}

# counting_bundle DIR — make_bundle DIR whose process writes a count, 20
# a second, to /count in its rootfs (where the host reads it), its stdio
# the container's own /dev/null: CRIU cannot dump descriptors of files
# outside the container (the criu cases).
counting_bundle() {
	make_bundle "$1" || return 1
	update_config "$1" '.root.readonly = false'
	set_sh "$1" 'exec </dev/null >/dev/null 2>&1; i=0
while :; do i=$((i + 1)); echo $i >/count.new; mv /count.new /count; usleep 50000; done'
}

# count_in DIR — the count in DIR's rootfs (0 before the first)
count_in() { cat "$1/rootfs/count" 2>/dev/null || echo 0; }

# wait_count_in DIR N — until the count in DIR reaches N (~20 s)
wait_count_in() {
	local i
	for i in $(seq 200); do
		[ "$(count_in "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
