#!/usr/bin/env bats
# Regression tests for the attacks that broke other runtimes.  Each test
# names its CVE and checks what the container could reach, and that the
# host was left untouched.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# use_brig_copy — run this test with a copy of the runtime's binary, so an
# attack that works corrupts the copy, never the build.
use_brig_copy() {
	cp "$BRIG" "$TESTDIR/brig-copy"
	BRIG=$TESTDIR/brig-copy
	BRIG_SUM=$(md5sum <"$BRIG")
}

@test "CVE-2019-5736: a process joining a created container cannot open the runtime's binary" {
	use_brig_copy
	share_dir
	set_args sh -c 'echo started >/shared/started'
	create_ctr "$CID"
	pid=$(state_field "$CID" pid)
	# the init is brig's stub until start, from a sealed memfd no
	# container can write (hostile.bats tries with CAP_SYS_PTRACE)
	echo "exe: $(readlink "/proc/$pid/exe")" >&2
	is_runc || [ "$(readlink "/proc/$pid/exe")" != "$BRIG" ]
	run --separate-stderr brig exec "$CID" sh -c '
		wc -c </proc/1/exe && echo "READ OK"
		echo pwn >>/proc/1/exe && echo "WRITE OK"
		(exec 3</proc/1/exe) && echo "FD OK"
		for f in /proc/1/fd/*; do readlink "$f" && echo "FDS OK"; ls "$f/" && echo "FDS OK"; done
		true'
	echo "$output $stderr" >&2
	[ "$status" -eq 0 ]
	[[ $output != *"READ OK"* ]]
	[[ $output != *"WRITE OK"* ]]
	[[ $output != *"FD OK"* ]]
	[[ $output != *"FDS OK"* ]]
	[[ $stderr == *"Permission denied"* ]]
	brig start "$CID"
	wait_file "$SHARED/started"
	wait_status "$CID" stopped
	brig delete "$CID"
	[ "$(md5sum <"$BRIG")" = "$BRIG_SUM" ]
}

@test "CVE-2019-5736: even the host's root cannot write the binary while an init runs it" {
	use_brig_copy
	create_ctr "$CID"
	pid=$(state_field "$CID" pid)
	run sh -c "echo pwn >>/proc/$pid/exe"
	echo "$output" >&2
	[ "$status" -ne 0 ]
	# brig's init is its stub by then, from a sealed memfd (runc: a
	# sealed memfd copy of runc)
	is_runc || [[ $(readlink "/proc/$pid/exe") == "/memfd:brig (deleted)" ]]
	brig delete -f "$CID"
	[ "$(md5sum <"$BRIG")" = "$BRIG_SUM" ]
}

@test "CVE-2019-5736: the started process is the container's binary, not brig" {
	use_brig_copy
	share_dir
	set_args sh -c 'readlink /proc/1/exe >/shared/exe; sleep 5'
	run_detached "$CID"
	wait_file "$SHARED/exe"
	[ "$(cat "$SHARED/exe")" = /bin/busybox ]
	pid=$(state_field "$CID" pid)
	[ "$(readlink "/proc/$pid/exe")" != "$BRIG" ]
	brig delete -f "$CID"
}

# own_fds LS_OUTPUT — the fd numbers of `ls -l /proc/self/fd`, without
# the directory fd ls itself reads.
own_fds() {
	printf '%s\n' "$1" | awk '$1 ~ /^l/ && / -> / && $NF !~ /^\/proc\/[0-9]+\/fd$/ { printf "%s ", $(NF-2) }'
}

@test "CVE-2024-21626: no file descriptor of brig reaches the container" {
	# ls is the container's process and lists its own descriptors (the one
	# it opened to read the directory aside)
	set_args ls -l /proc/self/fd
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	fds=$(own_fds "$output")
	echo "fds: $fds" >&2
	[ "$fds" = "0 1 2 " ]
}

@test "CVE-2024-21626: --preserve-fds passes exactly the fds asked for" {
	is_runc && skip "runc run has no stdin-safe way here"
	set_args ls -l /proc/self/fd
	run --separate-stderr brig run --preserve-fds 1 --bundle "$BUNDLE" "$CID" 3</dev/null 4</dev/null
	[ "$status" -eq 0 ]
	fds=$(own_fds "$output")
	echo "fds: $fds" >&2
	[ "$fds" = "0 1 2 3 " ]
}

@test "CVE-2024-21626: a cwd of /proc/self/fd/N never lands outside the root" {
	local n
	for n in 3 4 5 6 7 8 9 10; do
		update_config --arg c "/proc/self/fd/$n" '.process.cwd = $c'
		set_args sh -c 'pwd; ls .. | head -3'
		run --separate-stderr brig run --bundle "$BUNDLE" "$CID-$n"
		echo "fd $n: status=$status out=$output err=$stderr" >&2
		if [ "$status" -eq 0 ]; then
			# it ran: then its cwd was inside (pwd answers a path)
			[[ ${lines[0]} == /* ]]
			[[ $output != *state.json* ]]
		else
			assert_error_line
			[[ $stderr == *"process.cwd"* ]]
		fi
		assert_nothing_left "$CID-$n"
	done
}

@test "CVE-2021-30465: a mount destination that is a symlink out of the rootfs stays inside" {
	mkdir "$TESTDIR/host-target"
	ln -s "../../../../../../../../$TESTDIR/host-target" "$BUNDLE/rootfs/escape"
	ln -s "$TESTDIR/host-target" "$BUNDLE/rootfs/escape-abs"
	add_mount '{"destination": "/escape/sub", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
	add_mount '{"destination": "/escape-abs/sub", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
	run_sh "touch /escape/sub/mark /escape-abs/sub/mark2 && grep -c \"$TESTDIR/host-target/sub\" /proc/self/mountinfo"
	[ "$status" -eq 0 ]
	[ "$output" -eq 2 ] # the mounts are where the links point, inside
	# nothing reached the host's directory
	[ -z "$(ls -A "$TESTDIR/host-target")" ]
	[ -z "$(mounts_mentioning "$TESTDIR/host-target")" ]
}

@test "CVE-2021-30465: a mount destination that races to become a symlink stays inside" {
	# The attack: while the runtime mounts onto /race/sub, /race flips
	# between a directory and a symlink out of the rootfs.  A host loop
	# swaps them with rename(2) as fast as it can; every container either
	# mounts inside the rootfs or fails cleanly, never on the host.
	local target=$TESTDIR/host-target r=$BUNDLE/rootfs
	mkdir -p "$target" "$r/race/sub"
	ln -s "$target" "$r/race.link"
	add_mount '{"destination": "/race/sub", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
	set_args sh -c 'touch /race/sub/mark 2>/dev/null; true'
	(
		set +e
		while :; do
			mv -T "$r/race" "$r/race.real" 2>/dev/null
			mv -T "$r/race.link" "$r/race" 2>/dev/null
			mv -T "$r/race" "$r/race.link" 2>/dev/null
			mv -T "$r/race.real" "$r/race" 2>/dev/null
		done
	) &
	local racer=$! i ok=0
	for i in $(seq 30); do
		if brig run --bundle "$BUNDLE" "$CID" >/dev/null 2>&1; then ok=$((ok + 1)); fi
		brig delete -f "$CID" >/dev/null 2>&1 || true
		[ -z "$(ls -A "$target")" ] || break
		[ -z "$(mounts_mentioning "$target")" ] || break
	done
	# the racer must have been running the whole time
	kill "$racer"
	wait "$racer" 2>/dev/null || true
	echo "runs that succeeded: $ok of 30"
	[ -z "$(ls -A "$target")" ]
	[ -z "$(mounts_mentioning "$target")" ]
	assert_nothing_left "$CID"
}

@test "CVE-2025-31133: a /dev/null that is a symlink is not used to mask paths" {
	[ "$(cat /proc/sys/kernel/core_pattern)" != "" ]
	before=$(cat /proc/sys/kernel/core_pattern)
	# no /dev tmpfs: the image's own /dev, with null pointing at a host file
	update_config '.mounts |= map(select(.destination != "/dev"))'
	mkdir -p "$BUNDLE/rootfs/dev"
	ln -sf /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/null"
	run_sh 'echo "|/bin/pwn" >/proc/kcore; cat /proc/sys/kernel/core_pattern'
	# refused, or masked with a real null device: never the host's file
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$before" ]
	if [ "$status" -ne 0 ]; then
		assert_error_line
		is_runc || [[ $stderr == *"/dev/null is not the null device"* ]]
	fi
	assert_nothing_left "$CID"
}

@test "CVE-2025-31133: a masked path that is a symlink masks inside the rootfs" {
	echo host-secret >"$TESTDIR/hostfile"
	ln -s "../../../../../../../../$TESTDIR/hostfile" "$BUNDLE/rootfs/etc/evil"
	update_config '.linux.maskedPaths += ["/etc/evil"]'
	run_sh 'cat /etc/evil; echo pwn >/etc/evil; echo "rc=$?"'
	[ "$status" -eq 0 ]
	[[ $output != *host-secret* ]]
	[ "$(cat "$TESTDIR/hostfile")" = host-secret ]
}

@test "CVE-2025-52565: a /dev/console symlink does not redirect the terminal to a host file" {
	before=$(cat /proc/sys/kernel/core_pattern)
	update_config '.mounts |= map(select(.destination != "/dev")) | .process.terminal = true'
	mkdir -p "$BUNDLE/rootfs/dev"
	ln -sf /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/console"
	set_args sh -c 'echo "|/bin/pwn" >/dev/console; echo done'
	"$(recvtty_bin)" -t 10 "$TESTDIR/tty.sock" >"$TESTDIR/tty.out" 2>&1 &
	local rpid=$! i
	for i in $(seq 100); do [ -S "$TESTDIR/tty.sock" ] && break; sleep 0.05; done
	run --separate-stderr brig run -d --console-socket "$TESTDIR/tty.sock" --bundle "$BUNDLE" "$CID"
	if [ "$status" -eq 0 ]; then
		wait "$rpid" || true
		cat "$TESTDIR/tty.out" >&2
		grep -q done "$TESTDIR/tty.out"
		brig delete -f "$CID"
	else
		kill "$rpid" 2>/dev/null || true
	fi
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$before" ]
	[ "$(readlink "$BUNDLE/rootfs/dev/console")" = /proc/sys/kernel/core_pattern ]
}

@test "CVE-2025-52881: a mount onto a procfs file is refused" {
	before=$(cat /proc/sys/kernel/core_pattern)
	echo "|/bin/pwn" >"$TESTDIR/fake"
	add_mount "$(jq -cn --arg s "$TESTDIR/fake" '{destination: "/proc/sys/kernel/core_pattern", type: "bind", source: $s, options: ["bind", "rw"]}')"
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	is_runc || [[ $stderr == *"/proc/sys/kernel/core_pattern"* ]]
	[ "$(cat /proc/sys/kernel/core_pattern)" = "$before" ]
	assert_nothing_left "$CID"
}

@test "the container cannot see or signal host processes" {
	sleep 60 &
	local host_pid=$!
	run_sh "ls /proc | grep -c '^[0-9]'; kill -0 $host_pid; echo \"kill=\$?\"; [ -e /proc/$host_pid ] || echo unseen"
	kill "$host_pid"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -le 3 ] # sh, ls|grep: its own processes only
	[[ $output == *"kill=1"* ]]
	[[ $output == *unseen* ]]
}

@test "read-only paths cannot be remounted read-write without CAP_SYS_ADMIN" {
	# no seccomp profile: the capabilities alone must stop it
	update_config 'del(.linux.seccomp)'
	run_sh 'mount -o remount,rw /proc/sys; echo "sys=$?"
		mount -o remount,rw /; echo "root=$?"
		touch /proc/sys/kernel/hostname 2>/dev/null; echo x >/proc/sys/kernel/domainname; echo "write=$?"
		touch /newfile; echo "touch=$?"
		grep -E " /proc/sys | / " /proc/self/mountinfo | grep -c " ro,"'
	[ "$status" -eq 0 ]
	[[ $output == *"sys=1"* ]]
	[[ $output == *"root=1"* ]]
	[[ $output == *"write=1"* ]]
	[[ $output == *"touch=1"* ]]
	[ "${lines[-1]}" -ge 2 ]
}
