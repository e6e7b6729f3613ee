# criu-plain — CRIU itself works in the VM (it cannot on the host's
# kernel), before brig drives it: `criu check`; a counting loop dumped,
# stopped, restored detached, counting on from where it stopped; the same
# for a loop in its own mount, pid, network, uts and ipc namespaces, pivoted
# into a busybox root with a tmpfs, as a container is. The flags that one
# needed are the ones brig's checkpoint/restore must pass too:
#   dump:    --network-lock nftables  (criu 3.17 always locks a network
#            namespace it dumps; its default, iptables, needs binaries and
#            modules the VM lacks; nftables goes through the libnftables
#            criu links)
#   restore: --root DIR               (the root the mount namespace gets)
# No --shell-job (the loop leads its own session inside the pid namespace),
# no --external (it holds nothing from outside: no bind mount, stdio closed;
# a file opened outside its root, such as the VM's /dev/null, fails the
# dump with "Can't lookup mount").
. "$(dirname "$0")/lib.sh"

if ! command -v criu >/dev/null; then
	skip "criu check, dump and restore" "no criu in the VM (the host lacks package criu)"
	exit 0
fi

D=/tmp/criu-plain
PIDS=

# kill_all — the loops, their unshare, what criu restored.
kill_all() {
	local p
	for p in $PIDS; do
		kill -KILL "$p" 2>/dev/null
	done
	PIDS=
}
trap 'kill_all; rm -rf $D' EXIT
mkdir -p $D

# ------------------------------------------------------------ criu check
out=$(criu check 2>&1)
rc=$?
if [ $rc -eq 0 ]; then
	ok "criu check: $(echo "$out" | tail -1)"
else
	not_ok "criu check" "status $rc, output:" "$out"
fi

# count_of FILE — the number the loop last wrote (empty while it writes).
count_of() {
	cat "$1" 2>/dev/null
}

# wait_count FILE N — until the loop has written more than N (~10 s).
wait_count() {
	local i c
	for i in $(seq 100); do
		c=$(count_of "$1")
		[ -n "$c" ] && [ "$c" -gt "$2" ] && return 0
		usleep 100000
	done
	return 1
}

# dump_restore NAME PID COUNT IMG DUMP-FLAGS RESTORE-FLAGS — dump PID (criu
# kills what it dumped), check the count stands still, restore detached,
# check it goes on from where it stopped and keeps going. The restored pid
# is left in IMG/restored.
dump_restore() {
	local name=$1 pid=$2 count=$3 img=$4 dflags=$5 rflags=$6 c0 c1 c2 c3 out rpid
	mkdir -p "$img"
	c0=$(count_of "$count")
	# (the flags are words: unquoted)
	if ! criu dump -t "$pid" -D "$img" -o dump.log $dflags >/dev/null 2>&1; then
		not_ok "$name: dump" "criu dump -t $pid $dflags:" \
			"$(grep -E 'Error|Warn' "$img/dump.log" | tail -15)"
		return 1
	fi
	c1=$(count_of "$count")
	[ -n "$c1" ] || c1=$c0 # dumped between the truncate and the write
	usleep 500000
	c2=$(count_of "$count")
	if kill -0 "$pid" 2>/dev/null || [ "$c2" != "$c1" ]; then
		not_ok "$name: the dump stops the process" \
			"pid $pid there: $(kill -0 "$pid" 2>/dev/null && echo yes || echo no), count $c1 then $c2"
		return 1
	fi
	out=$(criu restore -D "$img" -o restore.log --restore-detached \
		--pidfile "$img/pid" $rflags 2>&1)
	rpid=$(cat "$img/pid" 2>/dev/null)
	PIDS="$PIDS $rpid"
	if [ -z "$rpid" ]; then
		not_ok "$name: restore" "criu restore $rflags:" "$out" \
			"$(grep -E 'Error|Warn' "$img/restore.log" | tail -15)"
		return 1
	fi
	echo "$rpid" >"$img/restored"
	if wait_count "$count" "$c1" && c2=$(count_of "$count") && wait_count "$count" "$c2"; then
		c3=$(count_of "$count")
		ok "$name: dumped at $c1, restored (pid $rpid), counts on: $c2, $c3"
	else
		not_ok "$name: the restored process counts on from $c1" \
			"count now: $(count_of "$count")" \
			"$(grep -E 'Error|Warn' "$img/restore.log" | tail -15)"
		return 1
	fi
}

# A loop that writes its count ($0) ten times a second.
LOOP='i=0; while :; do i=$((i + 1)); echo $i >"$0"; usleep 100000; done'

# ----------------------------------------------------- a plain process
# (its own session, no terminal: nothing outside the dumped tree)
setsid sh -c "$LOOP" $D/count </dev/null >/dev/null 2>&1 &
pid=$!
PIDS="$PIDS $pid"
if wait_count $D/count 5; then
	dump_restore "plain process" $pid $D/count $D/img "" ""
else
	not_ok "plain process: the loop counts" "count: $(count_of $D/count)"
fi
kill_all

# ------------------------------------------------ a process in namespaces
# enter.sh ROOT LOOP, run by unshare as pid 1 of the new namespaces, does
# what a runtime does: ROOT bind-mounted and pivoted into, proc and a tmpfs
# (saved by criu with GNU tar) in it, the old root gone, stdio closed, then
# a real execve (`exec setsid` would run the applet in-process, keeping the
# VM's busybox, outside ROOT, mapped).
R=$D/root
cp -a "$(vm_rootfs)" $R
cat >$D/enter.sh <<'EOS'
mount --make-rprivate / &&
	mount --bind "$1" "$1" &&
	mount -t proc proc "$1/proc" &&
	mount -t tmpfs -o size=1m tmpfs "$1/tmp" &&
	echo kept >"$1/tmp/file" &&
	cd "$1" && mkdir -p .old && pivot_root . .old && umount -l /.old || exit 1
exec /bin/setsid /bin/sh -c "$2" /count <&- >&- 2>&-
EOS
setsid unshare -f -m -p -n -u -i sh $D/enter.sh $R "$LOOP" </dev/null >$D/enter.out 2>&1 &
upid=$!
PIDS="$PIDS $upid"
if wait_count $R/count 5; then
	# the loop: the child unshare forked, pid 1 of the new pid namespace
	pid=$(cat /proc/$upid/task/$upid/children)
	pid=${pid% }
	PIDS="$PIDS $pid"
	if dump_restore "mount+pid+net+uts+ipc namespaces" "$pid" $R/count $D/img-ns \
		"--network-lock nftables" "--root $R"; then
		rpid=$(cat $D/img-ns/restored)
		seen=$(awk '/^NSpid:/ { print "NSpid there " $3 }' /proc/$rpid/status)
		for ns in mnt pid net uts ipc; do
			[ "$(readlink /proc/$rpid/ns/$ns)" != "$(readlink /proc/self/ns/$ns)" ] ||
				seen="$seen, the VM's $ns namespace"
		done
		seen="$seen, /tmp/file $(cat /proc/$rpid/root/tmp/file 2>&1)"
		if [ "$seen" = "NSpid there 1, /tmp/file kept" ]; then
			ok "restored into namespaces of its own: pid 1 there, its tmpfs kept"
		else
			not_ok "restored into namespaces of its own: pid 1 there, its tmpfs kept" "$seen"
		fi
	fi
else
	not_ok "namespaces: the loop counts" "$(cat $D/enter.out)"
fi
kill_all
