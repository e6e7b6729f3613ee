#!/usr/bin/env bats
# Mounts, the root filesystem, devices, masked and readonly paths, sysctl.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# mountinfo line (inside the container's output) for mount point $1.
mnt_line() { awk -v d="$1" '$5 == d' <<<"$output" | tail -1; }

@test "mounts: tmpfs with size and mode, options visible in mountinfo" {
	add_mount '{"destination": "/mnt/t", "type": "tmpfs", "source": "tmpfs",
		"options": ["nosuid", "noexec", "nodev", "size=1m", "mode=0710"]}'
	run_sh 'stat -c %a /mnt/t; cat /proc/self/mountinfo
		cp /bin/busybox /mnt/t/bb && /mnt/t/bb true && echo EXECUTED'
	[ "$status" -ne 0 ] || true
	[ "${lines[0]}" = 710 ]
	local l
	l=$(mnt_line /mnt/t)
	echo "mount: $l"
	[[ $l == *" - tmpfs "* ]]
	[[ $l == *nosuid* ]]
	[[ $l == *nodev* ]]
	[[ $l == *noexec* ]]
	[[ $l == *size=1024k* ]]
	[[ $l == *mode=710* ]]
	[[ $output != *EXECUTED* ]]
}

@test "mounts: read-only bind of a host directory" {
	mkdir "$TESTDIR/hostdir"
	echo "from the host" >"$TESTDIR/hostdir/file"
	add_mount "$(jq -cn --arg s "$TESTDIR/hostdir" \
		'{destination: "/data", type: "bind", source: $s, options: ["bind", "ro"]}')"
	run_sh 'cat /data/file; touch /data/new && echo WROTE; cat /proc/self/mountinfo'
	[ "${lines[0]}" = "from the host" ]
	[[ $output != *WROTE* ]]
	[ ! -e "$TESTDIR/hostdir/new" ]
	local l
	l=$(mnt_line /data)
	[[ $l == *" /data ro,"* ]]
}

@test "mounts: read-write bind is shared with the host" {
	share_dir
	run_sh 'echo hello >/shared/f'
	[ "$status" -eq 0 ]
	[ "$(cat "$SHARED/f")" = hello ]
}

@test "mounts: applied in order (later mounts land on earlier ones)" {
	mkdir -p "$TESTDIR/a" "$TESTDIR/b"
	echo A >"$TESTDIR/a/which"
	echo B >"$TESTDIR/b/which"
	echo inner >"$TESTDIR/b/inner"
	add_mount '{"destination": "/mnt/o", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}'
	add_mount "$(jq -cn --arg s "$TESTDIR/a" '{destination: "/mnt/o/sub", type: "bind", source: $s, options: ["bind"]}')"
	add_mount "$(jq -cn --arg s "$TESTDIR/b" '{destination: "/mnt/o/sub", type: "bind", source: $s, options: ["bind"]}')"
	run_sh 'cat /mnt/o/sub/which; cat /mnt/o/sub/inner; grep -c " /mnt/o/sub " /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = B ]
	[ "${lines[1]}" = inner ]
	[ "${lines[2]}" = 2 ]
	# The sub directory was created in the tmpfs, not in the rootfs.
	[ ! -e "$BUNDLE/rootfs/mnt/o/sub" ]
}

@test "mounts: missing destinations are created, as a file for a file" {
	echo content >"$TESTDIR/hostfile"
	add_mount '{"destination": "/new/deep/dir", "type": "tmpfs", "source": "tmpfs"}'
	add_mount "$(jq -cn --arg s "$TESTDIR/hostfile" \
		'{destination: "/etc/new/file.conf", type: "bind", source: $s, options: ["bind", "ro"]}')"
	run_sh '[ -d /new/deep/dir ] && echo DIR; [ -f /etc/new/file.conf ] && echo FILE; cat /etc/new/file.conf'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = DIR ]
	[ "${lines[1]}" = FILE ]
	[ "${lines[2]}" = content ]
}

@test "mounts: a symlink in the rootfs never leads a mount out of it" {
	mkdir "$TESTDIR/host-target"
	echo keep >"$TESTDIR/host-target/marker"
	ln -s "$TESTDIR/host-target" "$BUNDLE/rootfs/evil"
	ln -s "../../../../../../../../..$TESTDIR/host-target" "$BUNDLE/rootfs/evil2"
	add_mount '{"destination": "/evil/sub", "type": "tmpfs", "source": "tmpfs"}'
	add_mount '{"destination": "/evil2/sub2", "type": "tmpfs", "source": "tmpfs"}'
	add_mount "$(jq -cn --arg s "$TESTDIR/host-target" \
		'{destination: "/evil/bound", type: "bind", source: $s, options: ["bind"]}')"
	run_sh 'ls /evil/sub /evil2/sub2 >/dev/null && echo SEEN; cat /evil/bound/marker'
	# Whatever the runtime did (follow the link inside the rootfs, or
	# refuse), the host directory is untouched...
	[ "$(ls -A "$TESTDIR/host-target")" = marker ]
	[ "$(cat "$TESTDIR/host-target/marker")" = keep ]
	! grep -F "$TESTDIR/host-target" /proc/self/mountinfo || false
	# ...and if it ran, the mounts landed inside the rootfs.
	if [ "$status" -eq 0 ]; then
		[ "${lines[0]}" = SEEN ]
		[ "${lines[1]}" = keep ]
		[ -d "$BUNDLE/rootfs$TESTDIR/host-target/sub" ]
	fi
}

@test "root.readonly: / is read-only; readonly false makes it writable" {
	run_sh 'touch /x && echo WROTE; awk '"'"'$5 == "/"'"'"' /proc/self/mountinfo'
	[[ $output != *WROTE* ]]
	[[ ${lines[-1]} == *" / ro"* ]]
	[ ! -e "$BUNDLE/rootfs/x" ]

	update_config '.root.readonly = false'
	run_sh 'touch /x && echo WROTE; awk '"'"'$5 == "/"'"'"' /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = WROTE ]
	[[ ${lines[-1]} == *" / rw"* ]]
	[ -e "$BUNDLE/rootfs/x" ]
}

@test "root.path may be absolute" {
	mv "$BUNDLE/rootfs" "$TESTDIR/elsewhere"
	update_config --arg p "$TESTDIR/elsewhere" '.root.path = $p'
	run_sh 'cat /etc/group | head -1'
	[ "$status" -eq 0 ]
	[ "$output" = "root:x:0:" ]
}

@test "--no-pivot runs in the rootfs" {
	set_args sh -c 'ls /bin/busybox; cat /etc/passwd | head -1; ls /tmp | wc -l; echo $$'
	run --separate-stderr brig run --no-pivot --bundle "$BUNDLE" "$CID"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /bin/busybox ]
	[ "${lines[1]}" = "root:x:0:0:root:/root:/bin/sh" ]
	[ "${lines[2]}" = 0 ] # the rootfs's empty /tmp, not the host's
	[ "${lines[3]}" = 1 ]
}

@test "rootfsPropagation shared makes the root a shared mount" {
	update_config '.linux.rootfsPropagation = "shared"'
	run_sh 'awk '"'"'$5 == "/"'"'"' /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ $output == *" shared:"* ]]

	update_config '.linux.rootfsPropagation = "private"'
	run_sh 'awk '"'"'$5 == "/"'"'"' /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ $output != *" shared:"* ]]
	[[ $output != *" master:"* ]]
}

@test "an rshared bind propagates the container's mounts back to the host, as runc (issue 18, item 7)" {
	# what docker run -v SRC:DST:rshared asks: the source a shared mount,
	# rootfsPropagation rshared, the bind rshared
	mkdir -p "$TESTDIR/vol"
	mount --bind "$TESTDIR/vol" "$TESTDIR/vol"
	mount --make-shared "$TESTDIR/vol"
	add_mount "$(jq -cn --arg s "$TESTDIR/vol" \
		'{destination: "/vol", type: "bind", source: $s, options: ["rbind", "rshared"]}')"
	update_config '.linux.rootfsPropagation = "rshared" | .linux.seccomp = null
		| .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])'
	run_sh 'mkdir -p /vol/sub && mount -t tmpfs brigprop /vol/sub && echo mounted'
	local seen=0
	mountpoint -q "$TESTDIR/vol/sub" && seen=1
	umount -l "$TESTDIR/vol/sub" 2>/dev/null || true
	umount -l "$TESTDIR/vol"
	[ "$status" -eq 0 ]
	[ "$output" = mounted ]
	[ "$seen" -eq 1 ]
	# and the container's own mounts (its /proc, /dev, ...) did not
	[ -z "$(mounts_mentioning "$BUNDLE")" ]
}

@test "default devices: char devices with the right numbers, and the links" {
	run_sh 'for d in null zero full random urandom tty; do stat -c "$d %F %t:%T %a" /dev/$d; done
		for l in ptmx fd stdin stdout stderr; do echo "$l $(readlink /dev/$l)"; done
		echo x >/dev/null && echo null-ok
		head -c 3 /dev/zero | od -An -tx1
		head -c 8 /dev/urandom | wc -c
		ls /dev/pts/ptmx /dev/shm >/dev/null && echo dirs-ok'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "null character special file 1:3 666" ]
	[ "${lines[1]}" = "zero character special file 1:5 666" ]
	[ "${lines[2]}" = "full character special file 1:7 666" ]
	[ "${lines[3]}" = "random character special file 1:8 666" ]
	[ "${lines[4]}" = "urandom character special file 1:9 666" ]
	[ "${lines[5]}" = "tty character special file 5:0 666" ]
	[ "${lines[6]}" = "ptmx pts/ptmx" ]
	[ "${lines[7]}" = "fd /proc/self/fd" ]
	[ "${lines[8]}" = "stdin /proc/self/fd/0" ]
	[ "${lines[9]}" = "stdout /proc/self/fd/1" ]
	[ "${lines[10]}" = "stderr /proc/self/fd/2" ]
	[ "${lines[11]}" = null-ok ]
	[ "$(echo ${lines[12]})" = "00 00 00" ]
	[ "${lines[13]}" = 8 ]
	[ "${lines[14]}" = dirs-ok ]
	# /dev is the container's own tmpfs, not the host's devtmpfs.
	run_sh 'grep " /dev " /proc/self/mountinfo; ls /dev | grep -c "^sd\|^vd\|^nvme\|^loop"'
	[[ ${lines[0]} == *" - tmpfs "* ]]
	[ "${lines[1]}" = 0 ]
}

@test "linux.devices: a custom device with mode and owner" {
	update_config '.linux.devices = [{path: "/dev/mynull", type: "c", major: 1, minor: 3,
		fileMode: 416, uid: 1000, gid: 100}]
		| .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 3, access: "rwm"}]
		| .process.user = {uid: 1000, gid: 100}'
	run_sh 'stat -c "%F %t:%T %a %u:%g" /dev/mynull; echo x >/dev/mynull && echo write-ok; wc -c </dev/mynull'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file 1:3 640 1000:100" ]
	[ "${lines[1]}" = write-ok ]
	[ "${lines[2]}" = 0 ]
}

@test "linux.devices: Podman's fileMode with the type bits (8576 = S_IFCHR|0600), as runc (issue 18, item 5)" {
	update_config '.linux.devices = [{path: "/dev/mynull", type: "c", major: 1, minor: 3,
		fileMode: 8576, uid: 0, gid: 0}]
		| .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 3, access: "rwm"}]'
	run_sh 'stat -c "%F %t:%T %a" /dev/mynull'
	[ "$status" -eq 0 ]
	[ "$output" = "character special file 1:3 600" ]
}

@test "maskedPaths: files read empty, directories are empty" {
	mkdir -p "$BUNDLE/rootfs/secret"
	echo s3cret >"$BUNDLE/rootfs/secret/key"
	echo s3cret >"$BUNDLE/rootfs/etc/secret.conf"
	jq -e '.linux.maskedPaths | index("/proc/kcore")' "$BUNDLE/config.json"
	update_config '.linux.maskedPaths += ["/secret", "/etc/secret.conf", "/does/not/exist"]'
	run_sh 'echo "dir=$(ls -A /secret | wc -l)"; echo "file=$(wc -c </etc/secret.conf)"
		echo "kcore=$(cat /proc/kcore 2>/dev/null | wc -c)"; echo "keys=$(cat /proc/keys 2>/dev/null | wc -c)"
		touch /secret/new 2>/dev/null && echo WROTE; true'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = dir=0 ]
	[ "${lines[1]}" = file=0 ]
	# Only where the host kernel has them.
	[ ! -e /proc/kcore ] || [ "${lines[2]}" = kcore=0 ]
	[ ! -e /proc/keys ] || [ "${lines[3]}" = keys=0 ]
	[[ $output != *s3cret* ]]
	[[ $output != *WROTE* ]]
	# The host's files are untouched.
	[ "$(cat "$BUNDLE/rootfs/secret/key")" = s3cret ]
}

@test "readonlyPaths: /proc/sys and a listed directory are read-only" {
	update_config '.root.readonly = false'
	mkdir -p "$BUNDLE/rootfs/rodir"
	update_config '.linux.readonlyPaths += ["/rodir"]'
	run_sh 'echo 1 >/proc/sys/kernel/hostname && echo PROC-WROTE
		touch /rodir/f && echo RO-WROTE
		touch /rw && echo RW-WROTE
		grep " /proc/sys " /proc/self/mountinfo; grep " /rodir " /proc/self/mountinfo'
	[[ $output != *PROC-WROTE* ]]
	[[ $output != *RO-WROTE* ]]
	[[ $output == *RW-WROTE* ]]
	[[ $(grep " /proc/sys " <<<"$output") == *" /proc/sys ro"* ]]
	[[ $(grep " /rodir " <<<"$output") == *" /rodir ro"* ]]
}

@test "sysctl: network sysctls are set inside, the host keeps its own" {
	local host_fwd host_max
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	host_max=$(cat /proc/sys/net/core/somaxconn)
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "net.core.somaxconn": "1234"}'
	run_sh 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/core/somaxconn'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 1234 ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
	[ "$(cat /proc/sys/net/core/somaxconn)" = "$host_max" ]
}

@test "sysctl: a sysctl outside the container's namespaces is refused" {
	update_config '.linux.sysctl = {"vm.swappiness": "10"}'
	local before
	before=$(cat /proc/sys/vm/swappiness)
	run_sh 'cat /proc/sys/vm/swappiness'
	[ "$status" -ne 0 ]
	[ "$(cat /proc/sys/vm/swappiness)" = "$before" ]
	assert_nothing_left "$CID"
}
