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
