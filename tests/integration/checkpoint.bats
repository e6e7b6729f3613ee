#!/usr/bin/env bats
# checkpoint and restore (runtime/criu.c) on this host, where CRIU cannot
# run (its kernel's vDSO defeats criu 3.17): one clear line, the
# container untouched, nothing left by a failed restore; the flags as
# runc's, refused when bad; clients find the commands (--help exits 0,
# as Podman probes).  The checkpoint and restore themselves run in the
# VM suite (tests/vm/cases/criu-brig.sh).
load helpers

setup() {
	setup_bundle
}

teardown() {
	# an overlay rootfs a test mounted
	! mountpoint -q "$BUNDLE/rootfs" || umount -l "$BUNDLE/rootfs"
	teardown_bundle
}

criu_works() { command -v criu >/dev/null && criu check >/dev/null 2>&1; }

@test "checkpoint, restore: --help exits 0 (Podman's probe); features says so" {
	run brig checkpoint --help
	[ "$status" -eq 0 ]
	[[ $output == *--leave-running* ]]
	run brig restore --help
	[ "$status" -eq 0 ]
	[[ $output == *--image-path* ]]
	is_runc && return 0
	[ "$(brig features | jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]')" = true ]
}

@test "checkpoint where CRIU cannot run: one line naming why, the container runs on" {
	is_runc && skip "runc's messages are its own"
	criu_works && skip "CRIU runs on this host"
	set_args sh -c 'while :; do sleep 1; done'
	run_detached "$CID"
	run --separate-stderr brig checkpoint --image-path "$TESTDIR/img" "$CID"
	echo "$stderr"
	[ "$status" -ne 0 ]
	assert_error_line
	if command -v criu >/dev/null; then
		[[ $stderr == *"CRIU cannot run on this host"* ]]
		[[ $stderr == *"$TESTDIR/img/dump.log"* ]]
	else
		[[ $stderr == *"needs CRIU"* ]]
	fi
	[ "$(state_field "$CID" status)" = running ]
	brig delete -f "$CID"
	assert_nothing_left "$CID"
}

@test "restore where CRIU cannot run: one line, nothing left (state, cgroup, mount)" {
	is_runc && skip "runc's messages are its own"
	criu_works && skip "CRIU runs on this host"
	mkdir "$TESTDIR/img"
	run --separate-stderr brig restore -d --bundle "$BUNDLE" --image-path "$TESTDIR/img" "$CID"
	echo "$stderr"
	[ "$status" -ne 0 ]
	assert_error_line
	assert_nothing_left "$CID"
	! grep -q criu-root /proc/self/mountinfo
}

@test "checkpoint, restore: bad flags and states are one line, nothing done" {
	is_runc && skip "runc's messages are its own"
	run --separate-stderr brig checkpoint --manage-cgroups-mode loose "$CID"
	assert_error_line
	[[ $stderr == *"--manage-cgroups-mode"* ]]
	run --separate-stderr brig checkpoint --empty-ns pid "$CID"
	assert_error_line
	run --separate-stderr brig checkpoint --status-fd 99 --lazy-pages "$CID"
	assert_error_line
	[[ $stderr == *"--status-fd"* ]]
	run --separate-stderr brig checkpoint --page-server nowhere "$CID"
	assert_error_line
	run --separate-stderr brig checkpoint
	assert_error_line
	run --separate-stderr brig restore --bogus "$CID"
	assert_error_line
	run --separate-stderr brig checkpoint --image-path "$TESTDIR/img" no-such-container
	[ "$status" -ne 0 ]
	assert_error_line
	[ ! -e "$TESTDIR/img" ]
	# a created container has nothing running to save
	create_ctr "$CID"
	run --separate-stderr brig checkpoint --image-path "$TESTDIR/img" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"not running"* ]]
	[ "$(state_field "$CID" status)" = created ]
	brig delete -f "$CID"
	# restore of an id that exists
	set_args sh -c 'sleep 60'
	run_detached "$CID"
	mkdir -p "$TESTDIR/img"
	run --separate-stderr brig restore -d --bundle "$BUNDLE" --image-path "$TESTDIR/img" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[ "$(state_field "$CID" status)" = running ]
	brig delete -f "$CID"
	assert_nothing_left "$CID"
}

@test "checkpoint, restore: an image or work directory others may write is refused (attack: images swapped)" {
	is_runc && skip "runc does not check"
	set_args sh -c 'sleep 60'
	run_detached "$CID"
	mkdir -p "$TESTDIR/shared" "$TESTDIR/theirs"
	chmod 1777 "$TESTDIR/shared"
	chown 65534 "$TESTDIR/theirs"
	chmod 0700 "$TESTDIR/theirs"
	for d in shared theirs; do
		run --separate-stderr brig checkpoint --image-path "$TESTDIR/$d" "$CID"
		[ "$status" -ne 0 ]
		assert_error_line
		[[ $stderr == *"--image-path $TESTDIR/$d"* ]]
		[ -z "$(ls -A "$TESTDIR/$d")" ]
		run --separate-stderr brig checkpoint --work-path "$TESTDIR/$d" --image-path "$TESTDIR/img" "$CID"
		[ "$status" -ne 0 ]
		assert_error_line
		[ ! -e "$TESTDIR/img" ]
		run --separate-stderr brig checkpoint --parent-path "../$d" --image-path "$TESTDIR/img" "$CID"
		[ "$status" -ne 0 ]
		[[ $stderr == *"--parent-path"* ]]
		assert_error_line
		[ ! -e "$TESTDIR/img" ]
	done
	[ "$(state_field "$CID" status)" = running ]
	brig delete -f "$CID"
	assert_nothing_left "$CID"
	run --separate-stderr brig restore -d --bundle "$BUNDLE" --image-path "$TESTDIR/shared" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"must be ours"* ]]
	assert_nothing_left "$CID"
}

@test "restore killed while CRIU ran (its criu-root, criu.pid left in the state): delete -f leaves nothing" {
	is_runc && skip "brig's state directory"
	set_args sh -c 'sleep 60'
	run_detached "$CID"
	mkdir "$ROOT/$CID/criu-root"
	echo 1 >"$ROOT/$CID/criu.pid"
	run --separate-stderr brig delete -f "$CID"
	echo "$stderr"
	[ "$status" -eq 0 ]
	assert_nothing_left "$CID"
	[ ! -e "$ROOT/$CID" ]
}

@test "restore of a terminal: a bundle without process.terminal, or images naming two terminals, refused in one line before CRIU runs, nothing left" {
	is_runc && skip "brig's stdio.json"
	mkdir "$TESTDIR/img"
	# as checkpoint writes it for an init whose stdio is its terminal
	echo '{"stdio": ["tty[8800:1a]", "tty[8800:1a]", "tty[8800:1a]"]}' >"$TESTDIR/img/stdio.json"
	update_config '.process.terminal = false'
	run --separate-stderr brig restore -d --bundle "$BUNDLE" --image-path "$TESTDIR/img" "$CID"
	echo "$stderr"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *process.terminal* ]]
	assert_nothing_left "$CID"
	echo '{"stdio": ["tty[8800:1a]", "tty[8801:1a]", "pipe:[1]"]}' >"$TESTDIR/img/stdio.json"
	update_config '.process.terminal = true'
	run --separate-stderr brig restore -d --console-socket "$TESTDIR/none.sock" --bundle "$BUNDLE" \
		--image-path "$TESTDIR/img" "$CID"
	echo "$stderr"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"more than one terminal"* ]]
	assert_nothing_left "$CID"
	! grep -q criu-root /proc/self/mountinfo
}

@test "restore --manage-cgroups-mode strict: refused in one line before anything (CRIU would refuse the container's cgroup)" {
	is_runc && skip "runc restores into the old container's cgroup"
	mkdir "$TESTDIR/img"
	run --separate-stderr brig restore -d --manage-cgroups-mode strict --bundle "$BUNDLE" \
		--image-path "$TESTDIR/img" "$CID"
	echo "$stderr"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *strict* ]]
	assert_nothing_left "$CID"
}

# fake_criu — a criu first in PATH that records its arguments, one a
# line, in $TESTDIR/criu.argv and fails: what brig asks of CRIU, seen
# where CRIU cannot run
fake_criu() {
	mkdir -p "$TESTDIR/fakebin"
	cat >"$TESTDIR/fakebin/criu" <<-EOS
		#!/bin/sh
		printf '%s\n' "\$@" >"$TESTDIR/criu.argv"
		cat /proc/self/fd/255 >"$TESTDIR/criu.conf-read" 2>/dev/null
		exit 1
	EOS
	chmod +x "$TESTDIR/fakebin/criu"
}

# refused_before_criu GLOB — the last `run` failed in one line matching
# GLOB, before the (fake) criu ran
refused_before_criu() {
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == $1 ]]
	[ ! -e "$TESTDIR/criu.argv" ]
}

# argv_has WORD... — the words, consecutive, in what criu was given
argv_has() {
	echo " $(tr '\n' ' ' <"$TESTDIR/criu.argv")" | grep -qF -- " $* "
}

@test "checkpoint: runc's flags become CRIU's (a fake criu records them); the container runs on when it fails" {
	is_runc && skip "brig's command line of CRIU"
	fake_criu
	set_args sh -c 'sleep 60'
	run_detached "$CID"
	PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig checkpoint --image-path "$TESTDIR/img" \
		--work-path "$TESTDIR/work" --tcp-established --ext-unix-sk --shell-job --file-locks \
		--auto-dedup --manage-cgroups-mode full --leave-running --page-server 10.0.0.1:1234 "$CID"
	echo "$stderr"
	[ "$status" -ne 0 ]
	assert_error_line
	cat "$TESTDIR/criu.argv"
	argv_has dump -t "$(state_field "$CID" pid)"
	argv_has -D "$TESTDIR/img" -W "$TESTDIR/work"
	for f in --tcp-established --ext-unix-sk --shell-job --file-locks --auto-dedup \
		--manage-cgroups=full --leave-running; do
		argv_has "$f"
	done
	argv_has --page-server --address 10.0.0.1 --port 1234
	argv_has --config /etc/criu/runc.conf
	[ "$(state_field "$CID" status)" = running ]
	# lazy pages: CRIU serves them itself, at that address; --status-fd
	# passed down; org.criu.config empty: no options file
	brig delete -f "$CID"
	update_config '.annotations["org.criu.config"] = ""'
	run_detached "$CID"
	exec 7>"$TESTDIR/status"
	PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig checkpoint --image-path "$TESTDIR/img" \
		--lazy-pages --page-server 0.0.0.0:27277 --status-fd 7 "$CID"
	exec 7>&-
	[ "$status" -ne 0 ]
	cat "$TESTDIR/criu.argv"
	argv_has --lazy-pages
	argv_has --address 0.0.0.0 --port 27277
	! argv_has --page-server
	argv_has --status-fd 7
	! grep -qx -- --config "$TESTDIR/criu.argv"
	[ "$(state_field "$CID" status)" = running ]
}

@test "org.criu.config in what the container may write (its rootfs, a bind mount's source, through /proc), another user's, or relative: refused in one line, CRIU not run (attack: an action-script run as root)" {
	is_runc && skip "runc passes the file to CRIU, whatever it is"
	fake_criu
	mkdir -p "$TESTDIR/vol" "$TESTDIR/etc" "$BUNDLE/rootfs/etc"
	echo "action-script /bin/true" | tee "$BUNDLE/rootfs/etc/evil.conf" "$TESTDIR/vol/evil.conf" \
		"$TESTDIR/etc/criu.conf" "$TESTDIR/etc/other.conf" >/dev/null
	chown nobody "$TESTDIR/etc/other.conf"
	update_config '.mounts += [{"destination": "/vol", "type": "bind", "source": "'"$TESTDIR/vol"'", "options": ["rbind"]}]'
	set_args sh -c 'sleep 60'
	for conf in "$BUNDLE/rootfs/etc/evil.conf" "$TESTDIR/vol/evil.conf" PROC "$TESTDIR/etc/other.conf" \
		evil.conf; do
		update_config '.annotations["org.criu.config"] = $c' --arg c "$conf"
		run_detached "$CID"
		if [ "$conf" = PROC ]; then
			# a container's own file, through its init's root
			run_detached "$CID-x"
			conf=/proc/$(state_field "$CID-x" pid)/root/etc/evil.conf
			brig delete -f "$CID"
			update_config '.annotations["org.criu.config"] = $c' --arg c "$conf"
			run_detached "$CID"
		fi
		rm -f "$TESTDIR/criu.argv"
		PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig checkpoint --image-path "$TESTDIR/img" "$CID"
		echo "$conf: $stderr"
		refused_before_criu '*org.criu.config*'
		[ "$(state_field "$CID" status)" = running ]
		brig delete -f "$CID"
		if [[ $conf == /proc/* ]]; then
			brig delete -f "$CID-x"
			continue # its init gone: nothing there now
		fi
		# restore checks the bundle's the same way
		mkdir -p "$TESTDIR/img"
		PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig restore -d --bundle "$BUNDLE" \
			--image-path "$TESTDIR/img" "$CID"
		refused_before_criu '*org.criu.config*'
		assert_nothing_left "$CID"
	done
	# root's, outside them: CRIU reads the file brig opened
	update_config '.annotations["org.criu.config"] = $c' --arg c "$TESTDIR/etc/criu.conf"
	run_detached "$CID"
	PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig checkpoint --image-path "$TESTDIR/img" "$CID"
	argv_has --config /proc/self/fd/255
	cmp "$TESTDIR/etc/criu.conf" "$TESTDIR/criu.conf-read"
}

@test "stdio on the host's /dev/null (a detached container): the container's /dev/null, read-write, as runc (CRIU cannot dump the host's)" {
	# what conmon and containerd's shim hand a container without a
	# terminal; `podman container checkpoint` failed on it (tests/vm-systemd)
	set_args sh -c 'sleep 60'
	brig run -d --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>/dev/null
	local pid dev fd mnt flags
	pid=$(state_field "$CID" pid)
	# the container's /dev/null: a mount of its own (bound), else on /dev
	dev=$(awk '$5 == "/dev/null" { n = $1 } $5 == "/dev" { d = $1 } END { print (n ? n : d) }' \
		"/proc/$pid/mountinfo")
	for fd in 0 1 2; do
		mnt=$(awk '$1 == "mnt_id:" { print $2 }' "/proc/$pid/fdinfo/$fd")
		flags=$(awk '$1 == "flags:" { print $2 }' "/proc/$pid/fdinfo/$fd")
		echo "fd $fd: mount $mnt (/dev/null: $dev), flags $flags"
		[ "$mnt" = "$dev" ]
		[ $((8#$flags & 3)) -eq 2 ] # O_RDWR, whatever the caller opened
	done
	brig delete -f "$CID"
	assert_nothing_left "$CID"
}

@test "the clients' command lines (as tests/vm-systemd logged them) parse, the shim's -no-subreaper with one dash" {
	criu_works && skip "CRIU runs on this host: the VM suite runs the clients"
	set_args sh -c 'sleep 60'
	run_detached "$CID"
	mkdir -p "$TESTDIR/img" "$TESTDIR/work"
	# flag_ok — failed at CRIU, not at the command line
	flag_ok() {
		echo "$stderr"
		[ "$status" -ne 0 ]
		[[ $stderr != *"invalid option"* && $stderr != *"flag provided but not defined"* ]]
		is_runc || [[ $stderr == *"CRIU cannot run on this host"* ]]
	}
	# podman container checkpoint --leave-running (twice, as Podman 4.3)
	run --separate-stderr brig checkpoint --image-path "$TESTDIR/img" --work-path "$TESTDIR/work" \
		--leave-running --leave-running "$CID"
	flag_ok
	# containerd's shim: ctr task checkpoint, ctr containers checkpoint --task
	run --separate-stderr brig checkpoint --image-path "$TESTDIR/img" --work-path "$TESTDIR/work" \
		--file-locks --leave-running "$CID"
	flag_ok
	[ "$(state_field "$CID" status)" = running ]
	brig delete -f "$CID"
	# the shim's restore (ctr containers restore --live), then conmon's
	run --separate-stderr brig restore --image-path "$TESTDIR/img" --work-path "$TESTDIR/work" \
		--detach --pid-file "$TESTDIR/pid" -no-subreaper --bundle "$BUNDLE" "$CID"
	flag_ok
	assert_nothing_left "$CID"
	run --separate-stderr brig restore --bundle "$BUNDLE" --pid-file "$TESTDIR/pid" --detach \
		--image-path "$TESTDIR/img" --work-path "$TESTDIR/work" "$CID"
	flag_ok
	assert_nothing_left "$CID"
}

@test "restore makes the mount points CRIU needs in a rootfs that lacks them (a new snapshot: podman restore --import, ctr containers restore), as runc" {
	criu_works && skip "CRIU runs on this host: the VM suite restores"
	is_runc && skip "runc 1.1.5 makes them in the same step as CRIU's restore"
	echo x >"$TESTDIR/file"
	mkdir "$TESTDIR/dir"
	add_mount "{\"destination\": \"/etc/ck-file\", \"type\": \"bind\", \"source\": \"$TESTDIR/file\", \"options\": [\"bind\"]}"
	add_mount "{\"destination\": \"/ck/dir\", \"type\": \"bind\", \"source\": \"$TESTDIR/dir\", \"options\": [\"rbind\"]}"
	add_mount '{"destination": "/ck-tmp", "type": "tmpfs", "source": "tmpfs"}'
	add_mount "{\"destination\": \"/ck-tmp/in\", \"type\": \"bind\", \"source\": \"$TESTDIR/dir\", \"options\": [\"bind\"]}"
	local root
	root=$(jq -r .root.path "$BUNDLE/config.json")
	[[ $root == /* ]] || root=$BUNDLE/$root
	mkdir "$TESTDIR/img"
	run --separate-stderr brig restore -d --bundle "$BUNDLE" --image-path "$TESTDIR/img" "$CID"
	echo "$stderr"
	[ "$status" -ne 0 ]
	[ -f "$root/etc/ck-file" ] && [ ! -s "$root/etc/ck-file" ]
	[ -d "$root/ck/dir" ]
	[ -d "$root/ck-tmp" ]
	# under a tmpfs: CRIU brings the tmpfs back with what was in it
	[ ! -e "$root/ck-tmp/in" ]
	assert_nothing_left "$CID"
}

@test "checkpoint, restore: a one-dash long flag with an h in it is that flag, not a request for help (-shell-job printed the usage and exited 0)" {
	is_runc && skip "brig's help"
	mkdir "$TESTDIR/img"
	run --separate-stderr brig restore -d -shell-job --bundle "$BUNDLE" --image-path "$TESTDIR/img" "$CID"
	echo "$output$stderr"
	[ "$status" -ne 0 ]
	[[ $output != *usage* ]]
	assert_error_line
	assert_nothing_left "$CID"
	run --separate-stderr brig checkpoint -shell-job no-such-container
	[ "$status" -ne 0 ]
	[[ $output != *usage* ]]
	run --separate-stderr brig restore -no-such "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *-no-such* ]]
	run brig restore -help
	[ "$status" -eq 0 ]
	[[ $output == *usage* ]]
}

@test "org.criu.config through a symlink the container planted in its rootfs: refused, and nothing but a regular file opened (attack: CRIU reads a host file the container fills, or brig opens a device as root)" {
	is_runc && skip "runc passes the file to CRIU, whatever it is"
	fake_criu
	mkdir -p "$TESTDIR/logs" "$BUNDLE/rootfs/etc/criu"
	# a root-owned host file whose text the container writes (its
	# output, logged by root): CRIU would run the action-script it names
	echo "action-script /bin/true" >"$TESTDIR/logs/ctr.log"
	chmod 0644 "$TESTDIR/logs/ctr.log"
	# planted by the image or the container where the annotation points
	ln -s "$TESTDIR/logs/ctr.log" "$BUNDLE/rootfs/etc/criu/runc.conf"
	ln -s "$TESTDIR/logs" "$BUNDLE/rootfs/etc/criu/d"
	# a FIFO with a writer waiting: opening it (as for a device such as
	# /dev/watchdog) does something before the file is looked at
	mkfifo "$TESTDIR/logs/fifo"
	set_args sh -c 'sleep 60'
	for conf in "$BUNDLE/rootfs/etc/criu/runc.conf" "$BUNDLE/rootfs/etc/criu/d/ctr.log" \
		"$BUNDLE/rootfs/etc/criu/../criu/d/ctr.log" "$TESTDIR/logs/fifo"; do
		update_config '.annotations["org.criu.config"] = $c' --arg c "$conf"
		run_detached "$CID"
		rm -f "$TESTDIR/criu.argv" "$TESTDIR/opened"
		(exec 3>"$TESTDIR/logs/fifo" && echo yes >"$TESTDIR/opened") &
		writer=$!
		PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig checkpoint --image-path "$TESTDIR/img" "$CID"
		echo "$conf: $stderr"
		sleep 0.2
		kill $writer 2>/dev/null || true
		wait $writer 2>/dev/null || true
		refused_before_criu '*org.criu.config*'
		[ ! -e "$TESTDIR/opened" ]
		brig delete -f "$CID"
		assert_nothing_left "$CID"
	done
	# a host symlink (root's, outside the container) to a good file: read
	mkdir -p "$TESTDIR/etc"
	echo "tcp-established" >"$TESTDIR/etc/criu.conf"
	ln -s ../etc/criu.conf "$TESTDIR/logs/link.conf"
	update_config '.annotations["org.criu.config"] = $c' --arg c "$TESTDIR/logs/link.conf"
	run_detached "$CID"
	PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig checkpoint --image-path "$TESTDIR/img" "$CID"
	argv_has --config /proc/self/fd/255
	cmp "$TESTDIR/etc/criu.conf" "$TESTDIR/criu.conf-read"
}

@test "restore of images without stdio.json (a pre-dump's, runc's): no terminal made up, CRIU given no --inherit-fd (bug: the terminal's key was read uninitialised)" {
	is_runc && skip "brig's stdio.json"
	fake_criu
	mkdir "$TESTDIR/img"
	for terminal in false true; do
		update_config '.process.terminal = '$terminal
		rm -f "$TESTDIR/criu.argv"
		PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig restore -d --bundle "$BUNDLE" \
			--console-socket "$TESTDIR/none.sock" --image-path "$TESTDIR/img" "$CID"
		echo "$stderr"
		[ "$status" -ne 0 ]
		assert_error_line
		[[ $stderr == *"criu failed"* ]]
		! grep -qx -- --inherit-fd "$TESTDIR/criu.argv"
		! grep -q "mnt\[console\]" "$TESTDIR/criu.argv"
		assert_nothing_left "$CID"
	done
}

@test "checkpoint, restore: an image, work or parent directory in what the container may write (its rootfs, a bind mount's source) is refused (attack: the container rewrites its images, restore runs them as root)" {
	is_runc && skip "runc does not check"
	fake_criu
	mkdir -p "$TESTDIR/vol"
	update_config '.mounts += [{"destination": "/vol", "type": "bind", "source": "'"$TESTDIR/vol"'", "options": ["rbind"]}]'
	set_args sh -c 'sleep 60'
	run_detached "$CID"
	# made by the container's root (0700, root's: ours by uid and mode)
	mkdir -m 0700 "$TESTDIR/vol/pre" "$BUNDLE/rootfs/pre"
	ln -s "$TESTDIR/vol" "$TESTDIR/vol-link"
	for d in "$BUNDLE/rootfs/ckpt" "$TESTDIR/vol/ckpt" "$TESTDIR/vol" "$TESTDIR/vol-link/ckpt" \
		"$BUNDLE/rootfs"; do
		rm -f "$TESTDIR/criu.argv"
		PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig checkpoint --image-path "$d" "$CID"
		echo "$d: $stderr"
		refused_before_criu '*--image-path*container may write*'
		[ ! -e "$TESTDIR/vol/ckpt" ] && [ ! -e "$BUNDLE/rootfs/ckpt" ]
		PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig checkpoint --image-path "$TESTDIR/img" \
			--work-path "$d" "$CID"
		refused_before_criu '*--work-path*container may write*'
	done
	PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig checkpoint --image-path "$TESTDIR/img" \
		--parent-path "../vol/pre" "$CID"
	echo "$stderr"
	refused_before_criu '*--parent-path*container may write*'
	[ "$(state_field "$CID" status)" = running ]
	brig delete -f "$CID"
	# restore from images the container could have rewritten
	for d in "$BUNDLE/rootfs/pre" "$TESTDIR/vol/pre"; do
		PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig restore -d --bundle "$BUNDLE" \
			--image-path "$d" "$CID"
		echo "$d: $stderr"
		refused_before_criu '*--image-path*container may write*'
		assert_nothing_left "$CID"
	done
	# elsewhere: CRIU runs
	mkdir -p "$TESTDIR/img"
	PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig restore -d --bundle "$BUNDLE" \
		--image-path "$TESTDIR/img" "$CID"
	echo "$stderr"
	[ -e "$TESTDIR/criu.argv" ]
	assert_nothing_left "$CID"
}

@test "restore: the pre-dump images the checkpoint's parent link names must pass as the image directory, and be there (attack: another user in a shared /tmp makes ../pre, with their pages, once the admin removed it)" {
	is_runc && skip "runc does not check"
	fake_criu
	mkdir -m 0700 "$TESTDIR/final" "$TESTDIR/pre0"
	# as CRIU leaves it after checkpoint --parent-path ../pre
	ln -s ../pre "$TESTDIR/final/parent"
	for how in missing theirs shared rootfs grandparent; do
		rm -rf "$TESTDIR/pre" "$BUNDLE/rootfs/pre"
		case $how in
		missing) ;;
		theirs) mkdir -m 0700 "$TESTDIR/pre" && chown 65534 "$TESTDIR/pre" ;;
		shared) mkdir -m 1777 "$TESTDIR/pre" ;;
		rootfs)
			mkdir -m 0700 "$BUNDLE/rootfs/pre"
			ln -s bundle/rootfs/pre "$TESTDIR/pre"
			;;
		grandparent)
			mkdir -m 0700 "$TESTDIR/pre"
			ln -s ../nowhere "$TESTDIR/pre/parent"
			;;
		esac
		rm -f "$TESTDIR/criu.argv"
		PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig restore -d --bundle "$BUNDLE" \
			--image-path "$TESTDIR/final" "$CID"
		echo "$how: $stderr"
		refused_before_criu '*parent images*'
		assert_nothing_left "$CID"
	done
	# ours alone, and its own parent too: CRIU runs
	rm -rf "$TESTDIR/pre"
	mkdir -m 0700 "$TESTDIR/pre"
	ln -s ../pre0 "$TESTDIR/pre/parent"
	PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig restore -d --bundle "$BUNDLE" \
		--image-path "$TESTDIR/final" "$CID"
	echo "$stderr"
	[ -e "$TESTDIR/criu.argv" ]
	assert_nothing_left "$CID"
}

@test "org.criu.config, image directory in the upper directory of the container's overlay rootfs, or of an overlay mount: refused (attack: the container writes there what it writes in /, as containerd's and Podman's rootfs)" {
	is_runc && skip "runc does not check"
	fake_criu
	mv "$BUNDLE/rootfs" "$TESTDIR/lower"
	mkdir -p "$BUNDLE/rootfs" "$TESTDIR/upper" "$TESTDIR/work" "$TESTDIR/up2" "$TESTDIR/wk2" "$TESTDIR/lo2"
	mount -t overlay overlay -o "lowerdir=$TESTDIR/lower,upperdir=$TESTDIR/upper,workdir=$TESTDIR/work" \
		"$BUNDLE/rootfs"
	update_config '.mounts += [{"destination": "/data", "type": "overlay", "source": "overlay", "options": ["lowerdir='"$TESTDIR/lo2"'", "upperdir='"$TESTDIR/up2"'", "workdir='"$TESTDIR/wk2"'"]}]'
	set_args sh -c 'echo "action-script /bin/true" >/etc/criu.conf; mkdir -m 0700 /ckpt; echo "action-script /bin/true" >/data/criu.conf; mkdir -m 0700 /data/ckpt; sleep 60'
	run_detached "$CID"
	sleep 0.5
	# what the container wrote is on the host, root's, 0644 and 0700
	[ -f "$TESTDIR/upper/etc/criu.conf" ] && [ -d "$TESTDIR/upper/ckpt" ]
	[ -f "$TESTDIR/up2/criu.conf" ] && [ -d "$TESTDIR/up2/ckpt" ]
	for up in upper up2; do
		rm -f "$TESTDIR/criu.argv"
		PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig checkpoint --image-path "$TESTDIR/$up/ckpt" "$CID"
		echo "$up: $stderr"
		refused_before_criu '*--image-path*container may write*'
	done
	brig delete -f "$CID"
	for conf in "$TESTDIR/upper/etc/criu.conf" "$TESTDIR/up2/criu.conf"; do
		update_config '.annotations["org.criu.config"] = $c' --arg c "$conf"
		run_detached "$CID"
		rm -f "$TESTDIR/criu.argv"
		PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig checkpoint --image-path "$TESTDIR/img" "$CID"
		echo "$conf: $stderr"
		refused_before_criu '*org.criu.config*container may write*'
		brig delete -f "$CID"
		[ ! -e "$ROOT/$CID" ] # (the overlay is a mount of the bundle's)
	done
	umount "$BUNDLE/rootfs"
}

@test "checkpoint: CRIU's error, which names the container's files, is said without their control characters (attack: a file named with terminal escapes or a carriage return, printed by brig on the admin's terminal)" {
	is_runc && skip "runc's messages are its own"
	mkdir -p "$TESTDIR/fakebin"
	# as CRIU logs a file of the container it cannot dump, its name as is
	cat >"$TESTDIR/fakebin/criu" <<-'EOS'
		#!/bin/sh
		while [ $# -gt 0 ]; do [ "$1" = -o ] && log=$2; shift; done
		printf '(00.01) Error (criu/files-reg.c:1): Can'"'"'t dump /x\033]0;owned\007\033[2J\rbrig: all good\n' >"$log"
		exit 1
	EOS
	chmod +x "$TESTDIR/fakebin/criu"
	set_args sh -c 'sleep 60'
	run_detached "$CID"
	PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig checkpoint --image-path "$TESTDIR/img" "$CID"
	echo "$stderr" | od -c | head -5
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"Can't dump /x"* ]]
	[[ $stderr != *$'\033'* && $stderr != *$'\r'* && $stderr != *$'\a'* ]]
	brig delete -f "$CID"
}

# fake_criu_restoring — a criu that "restores": a process and its child
# in the cgroup it runs in (the container's), the first's pid in --pidfile
fake_criu_restoring() {
	mkdir -p "$TESTDIR/fakebin"
	cat >"$TESTDIR/fakebin/criu" <<-'EOS'
		#!/bin/sh
		while [ $# -gt 0 ]; do [ "$1" = --pidfile ] && pf=$2; shift; done
		setsid sh -c 'sleep 987655 & exec sleep 987654' </dev/null >/dev/null 2>&1 &
		echo $! >"$pf"
		exit 0
	EOS
	chmod +x "$TESTDIR/fakebin/criu"
}

@test "restore whose CRIU succeeded, then the terminal cannot be handed over: every restored process killed, nothing left (attack: a half-restored container running on without state)" {
	is_runc && skip "brig's stdio.json"
	fake_criu_restoring
	mkdir "$TESTDIR/img"
	echo '{"stdio": ["tty[8800:1a]", "tty[8800:1a]", "tty[8800:1a]"]}' >"$TESTDIR/img/stdio.json"
	update_config '.process.terminal = true'
	PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig restore -d --console-socket "$TESTDIR/none.sock" \
		--bundle "$BUNDLE" --image-path "$TESTDIR/img" "$CID"
	echo "$stderr"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *none.sock* ]]
	sleep 0.3
	! pgrep -f "sleep 98765[45]"
	assert_nothing_left "$CID"
	# and when it is handed over, the container runs, its init the restored one
	rm -f "$TESTDIR/img/stdio.json"
	update_config '.process.terminal = false'
	PATH=$TESTDIR/fakebin:$PATH run --separate-stderr brig restore -d --bundle "$BUNDLE" \
		--image-path "$TESTDIR/img" "$CID"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(state_field "$CID" status)" = running ]
	[ "$(cat /proc/"$(state_field "$CID" pid)"/comm)" = sleep ]
	brig delete -f "$CID"
	sleep 0.3
	! pgrep -f "sleep 98765[45]"
	assert_nothing_left "$CID"
}
