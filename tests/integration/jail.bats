#!/usr/bin/env bats
# brig jail build / jail run.

load helpers

setup() {
	setup_bundle
	JAIL=$TESTDIR/jail
}
teardown() { teardown_bundle; }

# the state root holds no container (no state dir left by jail run)
assert_root_empty() {
	[ ! -d "$ROOT" ] || [ -z "$(ls "$ROOT")" ]
}

@test "jail from /bin/bash and /bin/ls: ls / inside sees only the jail" {
	run --separate-stderr brig jail build "$JAIL" --with /bin/bash --with /bin/ls
	[ "$status" -eq 0 ]
	# the loader and libc came along, found without running anything
	[ -x "$JAIL/bin/bash" ] && [ -x "$JAIL/bin/ls" ]
	[ -n "$(find "$JAIL" -name 'libc.so.6')" ]
	[ -n "$(find "$JAIL" -name 'ld-linux-x86-64.so.2')" ]
	[ -d "$JAIL/proc" ] && [ -d "$JAIL/dev" ] && [ -d "$JAIL/tmp" ]
	grep -q '^root:x:0:0:' "$JAIL/etc/passwd"
	grep -q '^root:x:0:' "$JAIL/etc/group"
	run --separate-stderr brig jail run "$JAIL" -- /bin/ls /
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[ "$output" = "$(ls "$JAIL")" ]
	[[ $output != *home* ]] && [[ $output != *usr* ]]
	run --separate-stderr brig jail run "$JAIL" -- /bin/bash -c 'echo "bash $BASH_VERSION"; ls /proc/1/ns >/dev/null && echo pid1=$$'
	[ "$status" -eq 0 ]
	[[ $output == "bash "*$'\n'"pid1=1" ]]
	assert_root_empty
}

@test "jail build --bundle: DIR/rootfs + DIR/config.json, brig run works at once" {
	run --separate-stderr brig jail build "$JAIL" --bundle
	[ "$status" -eq 0 ]
	[ -x "$JAIL/rootfs/bin/sh" ] && [ -x "$JAIL/rootfs/bin/ls" ]
	[ "$(jq -r .root.path "$JAIL/config.json")" = rootfs ]
	jq '.process.terminal = false | .process.args = ["/bin/ls", "/"]' "$JAIL/config.json" >"$JAIL/c" &&
		mv "$JAIL/c" "$JAIL/config.json"
	run --separate-stderr brig run --bundle "$JAIL" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "$(ls "$JAIL/rootfs")" ]
	# jail run takes a --bundle jail too (its rootfs)
	run --separate-stderr brig jail run "$JAIL" -- /bin/sh -c 'echo in-jail'
	[ "$output" = in-jail ]
	assert_nothing_left "$CID"
}

@test "a missing library: a clear error naming it and who needs it; nothing written" {
	command -v cc >/dev/null || skip "no C compiler"
	mkdir "$TESTDIR/src" "$TESTDIR/lib"
	echo 'int brig_missing(void) { return 42; }' >"$TESTDIR/src/lib.c"
	echo 'int brig_missing(void); int main(void) { return brig_missing() == 42 ? 0 : 1; }' >"$TESTDIR/src/prog.c"
	cc -shared -fPIC -o "$TESTDIR/lib/libbrigmissing.so" "$TESTDIR/src/lib.c"
	cc -o "$TESTDIR/prog" "$TESTDIR/src/prog.c" -L"$TESTDIR/lib" -lbrigmissing
	run --separate-stderr brig jail build "$JAIL" --with "$TESTDIR/prog"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"libbrigmissing.so"*"needed by $TESTDIR/prog"* ]]
	[ ! -e "$JAIL" ]
	# with $ORIGIN in its RUNPATH the same library is found and copied
	cc -o "$TESTDIR/prog2" "$TESTDIR/src/prog.c" -L"$TESTDIR/lib" -lbrigmissing \
		-Wl,--enable-new-dtags,-rpath,'$ORIGIN/lib'
	run --separate-stderr brig jail build "$JAIL" --with "$TESTDIR/prog2"
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	[ -f "$JAIL$TESTDIR/lib/libbrigmissing.so" ]
	run brig jail run "$JAIL" -- "$TESTDIR/prog2"
	[ "$status" -eq 0 ]
	# not an ELF file
	printf '#!/bin/sh\necho hi\n' >"$TESTDIR/script"
	run --separate-stderr brig jail build "$TESTDIR/j2" --with "$TESTDIR/script"
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"$TESTDIR/script: not an ELF file"* ]]
}

@test "a static binary (busybox-static) needs no libraries" {
	run --separate-stderr brig jail build "$JAIL" --with "$BUSYBOX"
	[ "$status" -eq 0 ]
	[ -z "$(find "$JAIL" -name '*.so*')" ]
	[ ! -e "$JAIL/lib" ] && [ ! -e "$JAIL/lib64" ]
	run --separate-stderr brig jail run "$JAIL" -- "$BUSYBOX" sh -c 'echo static-ok; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = static-ok ]
}

@test "jail run --chroot works; jail run writes no file and leaves nothing" {
	brig jail build "$JAIL" --with "$BUSYBOX"
	local before after
	before=$(cd "$JAIL" && find . -printf '%p %s %T@\n' | sort)
	run --separate-stderr brig jail run --chroot "$JAIL" -- "$BUSYBOX" ls /
	[ "$status" -eq 0 ]
	[ "$output" = "$(ls "$JAIL")" ]
	run --separate-stderr brig jail run "$JAIL" --chroot -- "$BUSYBOX" sh -c 'echo $$; cat /proc/self/status | grep ^CapEff'
	[ "$status" -eq 0 ]
	# a new pid namespace and the default (dropped) capabilities
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" != "CapEff:	000001ffffffffff" ]
	# default isolation: masked paths, read-only root
	[ "$(wc -c </proc/timer_list)" -gt 0 ]
	run --separate-stderr brig jail run "$JAIL" -- "$BUSYBOX" sh -c "$BUSYBOX touch /x 2>&1; $BUSYBOX wc -c </proc/timer_list"
	echo "$output" >&2
	[[ ${lines[0]} == *"Read-only file system"* ]]
	[ "${lines[1]}" = 0 ]
	after=$(cd "$JAIL" && find . -printf '%p %s %T@\n' | sort)
	[ "$before" = "$after" ]
	assert_root_empty
	[ -z "$(mounts_mentioning "$JAIL")" ]
	[ -z "$(cgroups_named jail-)" ]
}

@test "jail: usage errors" {
	run --separate-stderr brig jail
	[ "$status" -ne 0 ]
	assert_error_line
	run --separate-stderr brig jail build
	[ "$status" -ne 0 ]
	assert_error_line
	run --separate-stderr brig jail run "$TESTDIR/nonexistent"
	[ "$status" -ne 0 ]
	assert_error_line
	run --separate-stderr brig jail build "$JAIL" --with /nonexistent/bin
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"/nonexistent/bin"* ]]
}

# ---- attacks on root's jail build / jail run (issue 17, item 5) -----------
# $HOST stands for the host's /etc, /bin, /lib: every test checks it is
# left exactly as it was (names, types, modes, owners, inodes, contents).
# 4242 stands for another local user (no account needed to own files).

plant_host() {
	HOST=$TESTDIR/host
	mkdir -p "$HOST/etc" "$HOST/bin" "$HOST/lib" "$HOST/rootfs/bin"
	echo host-passwd >"$HOST/etc/passwd"
	echo host-sh >"$HOST/bin/sh"
	cp "$BUSYBOX" "$HOST/rootfs/bin/busybox"
	chmod 755 "$HOST" "$HOST"/*
	HOST_BEFORE=$(host_state)
}
host_state() {
	(cd "$HOST" && find . -printf '%p %y %m %U %G %s %i\n' | sort &&
		find . -type f -exec md5sum {} + | sort)
}
assert_host_untouched() {
	local now
	now=$(host_state)
	if [ "$now" != "$HOST_BEFORE" ]; then
		diff <(echo "$HOST_BEFORE") <(echo "$now") >&2 || true
		return 1
	fi
}

@test "jail build: a DIR another user owns is refused; the symlinks they planted lead nowhere" {
	plant_host
	mkdir -p "$JAIL/lib"
	ln -s "$HOST/etc" "$JAIL/tmp"                 # chmod 1777 of DIR/tmp
	ln -s "$HOST/bin" "$JAIL/bin"                 # /bin/sh replaced
	ln -s "$HOST/lib" "$JAIL/lib/x86_64-linux-gnu" # libc written
	ln -s "$HOST/etc" "$JAIL/etc"                 # etc/group created
	chown -hR 4242:4242 "$JAIL"
	run --separate-stderr brig jail build "$JAIL"
	assert_host_untouched
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"$JAIL"*"4242"* ]]
	# DIR handed over (chown to root) is the caller's own: its symlinks
	# are still never followed
	chown -h 0:0 "$JAIL"
	run --separate-stderr brig jail build "$JAIL"
	assert_host_untouched
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"$JAIL/bin is a symlink; refused"* ]]
	# and a directory below it another user owns is refused: they could
	# move what brig writes in it, or swap a symlink in
	rm "$JAIL/bin"
	mkdir "$JAIL/bin"
	chown 4242:4242 "$JAIL/bin"
	run --separate-stderr brig jail build "$JAIL"
	assert_host_untouched
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"$JAIL/bin is owned by uid 4242"* ]]
}

@test "jail build: no symlink inside the caller's own DIR is followed" {
	plant_host
	local link target
	for plant in "tmp:$HOST/etc" "bin:$HOST/bin" "lib/x86_64-linux-gnu:$HOST/lib" \
		"etc:$HOST/etc" "lib64:$HOST/lib"; do
		link=${plant%%:*} target=${plant#*:}
		rm -rf "$JAIL"
		mkdir -p "$(dirname "$JAIL/$link")"
		ln -s "$target" "$JAIL/$link"
		run --separate-stderr brig jail build "$JAIL"
		assert_host_untouched
		echo "# $link -> $target: status $status" >&2
		[ "$status" -ne 0 ]
		assert_error_line
		[[ $stderr == *"$JAIL/$link is a symlink; refused"* ]]
	done
	# a symlink as the last component is replaced, never written through;
	# an existing etc/passwd (here a symlink) is kept, not followed
	rm -rf "$JAIL"
	mkdir -p "$JAIL/bin" "$JAIL/etc"
	ln -s "$HOST/bin/sh" "$JAIL/bin/sh"
	ln -s "$HOST/etc/group" "$JAIL/etc/group"
	run --separate-stderr brig jail build "$JAIL"
	assert_host_untouched
	[ "$status" -eq 0 ]
	[ -f "$JAIL/bin/sh" ] && [ ! -L "$JAIL/bin/sh" ] && [ -x "$JAIL/bin/sh" ]
	[ -L "$JAIL/etc/group" ]
	# rebuilding over one's own jail works (tmp is 1777 by then)
	[ "$(stat -c %a "$JAIL/tmp")" = 1777 ]
	run --separate-stderr brig jail build "$JAIL" --with "$BUSYBOX"
	assert_host_untouched
	[ "$status" -eq 0 ]
	[ -x "$JAIL$BUSYBOX" ] && [ -x "$JAIL/bin/sh" ]
}

@test "jail build --bundle: DIR/rootfs and DIR itself as symlinks are refused" {
	plant_host
	mkdir "$JAIL"
	ln -s "$HOST/rootfs" "$JAIL/rootfs"
	ln -s "$HOST/etc/config.json" "$JAIL/config.json"
	run --separate-stderr brig jail build "$JAIL" --bundle
	assert_host_untouched
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"$JAIL/rootfs is a symlink; refused"* ]]
	# DIR itself: a symlink another user planted
	ln -s "$HOST/rootfs" "$TESTDIR/link"
	chown -h 4242:4242 "$TESTDIR/link"
	run --separate-stderr brig jail build "$TESTDIR/link" --bundle
	assert_host_untouched
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"$TESTDIR/link is a symlink owned by uid 4242; refused"* ]]
}

@test "jail build: a DT_NEEDED or PT_INTERP with '..' cannot place a file outside DIR" {
	command -v cc >/dev/null || skip "no C compiler"
	mkdir -p "$TESTDIR/src" "$TESTDIR/x" "$TESTDIR/w/v" "$TESTDIR/a/b/x"
	echo 'int brig_evil(void) { return 42; }' >"$TESTDIR/src/lib.c"
	echo 'int brig_evil(void); int main(void) { return brig_evil() == 42 ? 0 : 1; }' >"$TESTDIR/src/prog.c"
	# relative: from brig's cwd $TESTDIR/w/v this is $TESTDIR/x/evil.so;
	# DIR + name was $TESTDIR/a/b/jail../../x/evil.so = $TESTDIR/a/b/x/evil.so
	cc -shared -fPIC -Wl,-soname,../../x/evil.so -o "$TESTDIR/x/evil.so" "$TESTDIR/src/lib.c"
	cc -o "$TESTDIR/prog" "$TESTDIR/src/prog.c" "$TESTDIR/x/evil.so"
	# absolute: "/.." is "/" on the host, DIR/.. in the jail
	cc -shared -fPIC -Wl,-soname,"/..$TESTDIR/x/evil2.so" -o "$TESTDIR/x/evil2.so" "$TESTDIR/src/lib.c"
	cc -o "$TESTDIR/prog2" "$TESTDIR/src/prog.c" "$TESTDIR/x/evil2.so"
	# the loader (PT_INTERP) likewise
	cc -o "$TESTDIR/prog3" "$TESTDIR/src/prog.c" "$TESTDIR/x/evil2.so" \
		-Wl,--dynamic-linker=/../lib64/ld-linux-x86-64.so.2
	echo host >"$TESTDIR/a/b/x/evil.so" # a host file in reach of ".."
	local before
	tree() { (cd "$TESTDIR" && find . -path ./root -prune -o -printf '%p %i %s\n' | sort); }
	before=$(tree)
	cd "$TESTDIR/w/v"
	for p in prog:../../x/evil.so prog2:"/..$TESTDIR/x/evil2.so" \
		prog3:/../lib64/ld-linux-x86-64.so.2; do
		run --separate-stderr brig jail build "$TESTDIR/a/b/jail" --with "$TESTDIR/${p%%:*}"
		# nothing written anywhere: not DIR, not next to it, not the host file
		[ "$(cat "$TESTDIR/a/b/x/evil.so")" = host ]
		[ "$(tree)" = "$before" ]
		[ "$status" -ne 0 ]
		assert_error_line
		[[ $stderr == *"${p#*:}"*".."* ]]
	done
}

@test "jail build: a relative DT_NEEDED with '/' goes under the jail's /, and runs there" {
	command -v cc >/dev/null || skip "no C compiler"
	mkdir -p "$TESTDIR/src" "$TESTDIR/x"
	echo 'int brig_rel(void) { return 42; }' >"$TESTDIR/src/lib.c"
	echo 'int brig_rel(void); int main(void) { return brig_rel() == 42 ? 0 : 1; }' >"$TESTDIR/src/prog.c"
	cc -shared -fPIC -Wl,-soname,x/librel.so -o "$TESTDIR/x/librel.so" "$TESTDIR/src/lib.c"
	cc -o "$TESTDIR/prog" "$TESTDIR/src/prog.c" "$TESTDIR/x/librel.so"
	cd "$TESTDIR"
	run --separate-stderr brig jail build "$JAIL" --with "$TESTDIR/prog"
	echo "$stderr" >&2
	[ "$status" -eq 0 ]
	# not joined to DIR's name ($JAIL + "x/librel.so" = ${JAIL}x/librel.so)
	[ ! -e "${JAIL}x" ]
	[ -f "$JAIL/x/librel.so" ]
	# the loader opens it from the process's cwd, / in the jail
	run brig jail run "$JAIL" -- "$TESTDIR/prog"
	[ "$status" -eq 0 ]
}

@test "jail run: symlinks to the host (DIR, DIR/rootfs with a planted config.json) are not followed" {
	plant_host
	# another user's --bundle-shaped DIR whose rootfs leads to the host
	mkdir "$JAIL"
	ln -s "$HOST/rootfs" "$JAIL/rootfs"
	echo '{}' >"$JAIL/config.json"
	chown -hR 4242:4242 "$JAIL"
	run --separate-stderr brig jail run "$JAIL" -- /bin/busybox ls /
	assert_host_untouched
	echo "$output" >&2
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"$JAIL/rootfs is a symlink; refused"* ]]
	# DIR itself: another user's symlink
	ln -s "$HOST/rootfs" "$TESTDIR/link"
	chown -h 4242:4242 "$TESTDIR/link"
	run --separate-stderr brig jail run "$TESTDIR/link" -- /bin/busybox ls /
	assert_host_untouched
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"$TESTDIR/link is a symlink owned by uid 4242; refused"* ]]
	assert_root_empty
}
