#!/usr/bin/env bats
# linux.seccomp: what the container's process sees of its filter, the
# default profile of `brig spec`, and SCMP_ACT_NOTIFY with an agent.

load helpers

setup() {
	setup_bundle
	PROBE=$(helper_bin probe -static)
	cp "$PROBE" "$BUNDLE/rootfs/bin/probe"
}
teardown() {
	[ -n "${AGENT_PID:-}" ] && kill "$AGENT_PID" 2>/dev/null
	teardown_bundle
}

# set_profile JSON — linux.seccomp, for x86-64 and its 32-bit ABIs.
set_profile() {
	update_config --argjson s "$1" '.linux.seccomp = $s'
}

ALLOW_ALL='{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]}'

@test "an ERRNO rule returns its errnoRet" {
	set_profile "$(jq -c '.syscalls = [
		{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]' <<<"$ALLOW_ALL")"
	run_sh 'mkdir /tmp/x; echo "rc=$?"; probe mkdir:/tmp/y; [ -e /tmp/x ] || echo absent'
	[ "$status" -eq 0 ]
	[[ $stderr == *"Function not implemented"* ]]
	[[ $output == *"rc=1"* ]]
	[[ $output == *"mkdir:/tmp/y: errno 38"* ]]
	[[ $output == *absent* ]]
}

@test "an ERRNO rule without errnoRet returns EPERM" {
	set_profile "$(jq -c '.syscalls = [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]' <<<"$ALLOW_ALL")"
	run_sh 'probe mkdir:/tmp/y'
	[ "$status" -eq 0 ]
	[ "$output" = "mkdir:/tmp/y: errno 1" ]
}

@test "a KILL rule kills the process with SIGSYS" {
	set_profile "$(jq -c '.syscalls = [{names: ["getpid"], action: "SCMP_ACT_KILL"}]' <<<"$ALLOW_ALL")"
	set_args /bin/probe getpid
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 159 ] # 128 + SIGSYS
	[ -z "$output" ]
}

@test "KILL_PROCESS and TRAP end the process with SIGSYS too" {
	for a in SCMP_ACT_KILL_PROCESS SCMP_ACT_TRAP; do
		set_profile "$(jq -c --arg a "$a" '.syscalls = [{names: ["getpid"], action: $a}]' <<<"$ALLOW_ALL")"
		set_args /bin/probe getpid
		run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
		[ "$status" -eq 159 ]
	done
}

@test "argument filters match only the given values" {
	# unshare refused only for CLONE_NEWUSER (0x10000000); mkdir refused
	# only for mode 0755 (probe's; busybox's mkdir passes 0777)
	set_profile "$(jq -c '.syscalls = [
		{names: ["unshare"], action: "SCMP_ACT_ERRNO", errnoRet: 22,
		 args: [{index: 0, value: 268435456, op: "SCMP_CMP_EQ"}]},
		{names: ["mkdir"], action: "SCMP_ACT_ERRNO", errnoRet: 5,
		 args: [{index: 1, value: 511, valueTwo: 493, op: "SCMP_CMP_MASKED_EQ"}]}]' <<<"$ALLOW_ALL")"
	run_sh 'probe unshare_user unshare_files mkdir:/dev/shm/a; mkdir /dev/shm/b; echo "b=$?"; ls -d /dev/shm/a /dev/shm/b 2>/dev/null; true'
	[ "$status" -eq 0 ]
	[[ $output == *"unshare_user: errno 22"* ]]
	[[ $output == *"unshare_files: ok"* ]]
	[[ $output == *"mkdir:/dev/shm/a: errno 5"* ]]
	# only b exists
	[ "${lines[-2]}" = "b=0" ]
	[ "${lines[-1]}" = /dev/shm/b ]
}

@test "a LOG rule lets the syscall through" {
	set_profile "$(jq -c '.flags = ["SECCOMP_FILTER_FLAG_LOG"] | .syscalls = [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_LOG"}]' <<<"$ALLOW_ALL")"
	run_sh 'mkdir /dev/shm/logged && ls -d /dev/shm/logged; grep Seccomp: /proc/self/status'
	[ "$status" -eq 0 ]
	[[ $output == *"/dev/shm/logged"* ]]
	[[ $output == *"Seccomp:"*"2"* ]]
}

@test "a default action of ERRNO with defaultErrnoRet refuses the rest" {
	set_profile '{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 95,
		"architectures": ["SCMP_ARCH_X86_64"],
		"syscalls": [{"names": ["execve", "exit_group", "exit", "write", "brk", "mmap",
		 "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
		 "mprotect", "getrandom", "readlinkat", "rt_sigprocmask", "rt_sigaction",
		 "close_range", "fcntl", "close", "read"], "action": "SCMP_ACT_ALLOW"}]}'
	set_args /bin/probe getpid keyctl
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "getpid: errno 95" ]
	[ "${lines[1]}" = "keyctl: errno 95" ]
}

@test "an unknown action is an error naming the JSON path" {
	set_profile "$(jq -c '.syscalls = [{names: ["getpid"], action: "SCMP_ACT_BOGUS"}]' <<<"$ALLOW_ALL")"
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	is_runc && return 0
	[[ $stderr == *"linux.seccomp.syscalls[0].action"* ]]
	assert_nothing_left "$CID"
}

@test "an unknown operator is an error naming the JSON path" {
	set_profile "$(jq -c '.syscalls = [{names: ["getpid"], action: "SCMP_ACT_ERRNO",
		args: [{index: 0, value: 1, op: "SCMP_CMP_ALMOST"}]}]' <<<"$ALLOW_ALL")"
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	is_runc && return 0
	[[ $stderr == *"linux.seccomp.syscalls[0].args[0].op"* ]]
	assert_nothing_left "$CID"
}

@test "syscall names unknown on this architecture are skipped" {
	set_profile "$(jq -c '.syscalls = [{names: ["no_such_syscall", "mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]' <<<"$ALLOW_ALL")"
	run_sh 'probe mkdir:/tmp/x'
	[ "$status" -eq 0 ]
	[ "$output" = "mkdir:/tmp/x: errno 38" ]
}

@test "the filter also binds a process that is not root, without no_new_privs" {
	update_config '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = false'
	set_profile "$(jq -c '.syscalls = [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]' <<<"$ALLOW_ALL")"
	run_sh 'probe mkdir:/tmp/x; grep NoNewPrivs /proc/self/status'
	[ "$status" -eq 0 ]
	[[ $output == *"mkdir:/tmp/x: errno 38"* ]]
	[[ $output == *"NoNewPrivs:"*"0"* ]]
}

# ---------------------------------------------------------- default profile

@test "brig spec writes the default profile" {
	is_runc && skip "runc spec writes no seccomp profile"
	run jq -r '.linux.seccomp | .defaultAction, .defaultErrnoRet, (.architectures | join(",")),
		(.syscalls | map(.names) | add | index("keyctl") // "none"),
		(.syscalls | map(.names) | add | index("read") != null)' "$BUNDLE/config.json"
	[ "${lines[0]}" = SCMP_ACT_ERRNO ]
	[ "${lines[1]}" = 1 ]
	[[ ${lines[2]} == SCMP_ARCH_* ]]
	[ "${lines[3]}" = none ]
	[ "${lines[4]}" = true ]
}

@test "the default profile refuses the dangerous syscalls" {
	is_runc && skip "runc spec writes no seccomp profile"
	set_args /bin/probe keyctl add_key request_key bpf perf_event_open \
		open_by_handle_at kexec_load userfaultfd unshare_user clone3 unshare_files getpid
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	for s in keyctl add_key request_key bpf perf_event_open open_by_handle_at kexec_load userfaultfd unshare_user; do
		[[ $output == *"$s: errno 1"* ]] || { echo "$s allowed: $output" >&2; false; }
	done
	[[ $output == *"clone3: errno 38"* ]]
	[[ $output == *"unshare_files: ok"* ]]
	[[ $output == *"getpid: ok"* ]]
}

@test "the default profile refuses mount, unshare -U, and even with CAP_SYS_ADMIN" {
	is_runc && skip "runc spec writes no seccomp profile"
	update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]
		| .process.capabilities.effective += ["CAP_SYS_ADMIN"]
		| .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	run_sh 'mount -t tmpfs t /mnt; echo "mount=$?"; unshare -U true; echo "unshare=$?"; umount /proc; echo "umount=$?"; pivot_root /tmp /tmp; echo "pivot=$?"'
	[ "$status" -eq 0 ]
	[[ $output == *"mount=1"* ]]
	[[ $output == *"unshare=1"* ]]
	[[ $output == *"umount=1"* ]]
	[[ $output == *"pivot=1"* ]]
	[[ $stderr == *"Operation not permitted"* ]]
}

@test "busybox and a shell work under the default profile" {
	is_runc && skip "runc spec writes no seccomp profile"
	cat >"$BUNDLE/rootfs/tmp/work.sh" <<-'EOF'
		set -e
		cd /dev/shm
		printf '%s\n' pear apple fig > fruit
		sort fruit > sorted
		head -1 sorted
		wc -l < sorted
		ls / | grep -c .
		cat /etc/passwd | cut -d: -f1 | tr '\n' ' '; echo
		sed -n 's/fig/FIG/p' fruit
		awk 'BEGIN { print 6 * 7 }'
		(sleep 0.1 & wait)
		echo "$(echo sub)shell" | md5sum | cut -c1-8
		find /etc -name passwd
		date +%Y >/dev/null && id -u && echo done
	EOF
	set_args sh /tmp/work.sh
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	echo "$output $stderr" >&2
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = apple ]
	[ "${lines[1]}" = 3 ]
	[[ $output == *"root user nobody"* ]]
	[[ $output == *FIG* ]]
	[[ $output == *42* ]]
	[[ $output == *"/etc/passwd"* ]]
	[ "${lines[-1]}" = done ]
	[ -z "$stderr" ]
}

# ------------------------------------------------------------------ notify

# start_agent [AGENT FLAGS] — the test agent on $TESTDIR/agent.sock.
start_agent() {
	AGENT=$(helper_bin seccomp_agent)
	"$AGENT" "$@" "$TESTDIR/agent.sock" "$TESTDIR/agent.state" >"$TESTDIR/agent.out" 2>&1 &
	AGENT_PID=$!
	wait_file_exists "$TESTDIR/agent.sock"
}

wait_file_exists() {
	local i
	for i in $(seq 100); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

notify_profile() {
	set_profile "$(jq -c --arg p "$TESTDIR/agent.sock" '.listenerPath = $p
		| .listenerMetadata = "brig-test-metadata"
		| .syscalls = [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]' <<<"$ALLOW_ALL")"
}

@test "SCMP_ACT_NOTIFY: the agent gets the fd and the state, and answers mkdir" {
	is_runc && skip "runc 1.1 sends the state differently"
	notify_profile
	start_agent
	run_sh 'mkdir /tmp/faked && echo "mkdir said yes"; [ -d /tmp/faked ] || echo "but there is no directory"'
	[ "$status" -eq 0 ]
	[[ $output == *"mkdir said yes"* ]]
	[[ $output == *"but there is no directory"* ]]
	wait "$AGENT_PID"
	AGENT_PID=
	grep -q "notified: nr=83 " "$TESTDIR/agent.out" # mkdir on x86-64
	run jq -r '.ociVersion, (.fds | join(",")), .metadata, .state.id, .state.status, (.pid == .state.pid), .state.bundle' "$TESTDIR/agent.state"
	[ "${lines[1]}" = seccompFd ]
	[ "${lines[2]}" = brig-test-metadata ]
	[ "${lines[3]}" = "$CID" ]
	[ "${lines[4]}" = creating ]
	[ "${lines[5]}" = true ]
	[ "${lines[6]}" = "$BUNDLE" ]
}

@test "SCMP_ACT_NOTIFY: the agent's errno reaches the container (no_new_privs false)" {
	is_runc && skip "runc 1.1 sends the state differently"
	update_config '.process.noNewPrivileges = false'
	notify_profile
	start_agent -e 122
	run_sh 'probe mkdir:/tmp/x'
	[ "$status" -eq 0 ]
	[ "$output" = "mkdir:/tmp/x: errno 122" ]
	wait "$AGENT_PID"
	AGENT_PID=
}

@test "SCMP_ACT_NOTIFY works with create and start" {
	is_runc && skip "runc 1.1 sends the state differently"
	notify_profile
	start_agent -e 7
	share_dir
	set_args sh -c 'probe mkdir:/tmp/x >/shared/out'
	create_ctr "$CID"
	brig start "$CID"
	wait_file "$SHARED/out"
	[ "$(cat "$SHARED/out")" = "mkdir:/tmp/x: errno 7" ]
	wait_status "$CID" stopped
	brig delete "$CID"
	wait "$AGENT_PID"
	AGENT_PID=
}

@test "SCMP_ACT_NOTIFY: exec hands its process's notify fd to the agent too" {
	is_runc && skip "runc 1.1 sends the state differently"
	notify_profile
	start_agent -e 7 # the init's
	set_args sleep 100
	run_detached "$CID"
	wait_file "$TESTDIR/agent.state"
	# the agent for the exec'd process, on the same listenerPath
	"$AGENT" -e 9 "$TESTDIR/agent.sock" "$TESTDIR/agent2.state" >"$TESTDIR/agent2.out" 2>&1 &
	local agent2=$!
	wait_file_exists "$TESTDIR/agent.sock"
	run --separate-stderr brig exec "$CID" probe mkdir:/tmp/y
	echo "$output $stderr" >&2
	brig delete -f "$CID"
	wait "$agent2" || true
	[ "$status" -eq 0 ]
	[ "$output" = "mkdir:/tmp/y: errno 9" ]
	jq -e --arg id "$CID" '.state.id == $id and .state.status == "running"' "$TESTDIR/agent2.state"
}

@test "SCMP_ACT_NOTIFY without listenerPath is an error" {
	set_profile "$(jq -c '.syscalls = [{names: ["mkdir"], action: "SCMP_ACT_NOTIFY"}]' <<<"$ALLOW_ALL")"
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	is_runc && return 0
	[[ $stderr == *"linux.seccomp.listenerPath"* ]]
	assert_nothing_left "$CID"
}

@test "SCMP_ACT_NOTIFY with nobody listening fails create and leaves nothing" {
	notify_profile
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	is_runc && return 0
	[[ $stderr == *"listenerPath"*"agent.sock"* ]]
	assert_nothing_left "$CID"
}

# ------------------------------------------------------------------ cache

@test "a compiled filter is cached and reused while the profile is unchanged" {
	is_runc && skip "brig's filter cache"
	set_profile "$(jq -c '.syscalls = [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]' <<<"$ALLOW_ALL")"
	set_args /bin/probe mkdir:/dev/shm/x
	run --separate-stderr brig --debug run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "mkdir:/dev/shm/x: errno 38" ]
	[[ $stderr == *"seccomp filter compiled and cached"* ]]
	[ "$(ls "$ROOT"/.seccomp-cache/*.bpf | wc -l)" -eq 1 ]
	# a hit: same behaviour, no compile
	run --separate-stderr brig --debug run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "mkdir:/dev/shm/x: errno 38" ]
	[[ $stderr == *"seccomp filter from the cache"* ]]
	# the cache dir is not a container
	[ -z "$(brig list -q)" ]
	# another errno is another profile: compiled, its own file
	set_profile "$(jq -c '.syscalls = [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 39}]' <<<"$ALLOW_ALL")"
	run --separate-stderr brig --debug run --bundle "$BUNDLE" "$CID"
	[ "$output" = "mkdir:/dev/shm/x: errno 39" ]
	[[ $stderr == *"compiled and cached"* ]]
	[ "$(ls "$ROOT"/.seccomp-cache/*.bpf | wc -l)" -eq 2 ]
}

@test "the cache keeps the flags: a cached NOTIFY filter still hands out its fd" {
	is_runc && skip "brig's filter cache"
	notify_profile
	for i in 1 2; do
		start_agent -e 9
		run_sh 'probe mkdir:/tmp/x'
		[ "$status" -eq 0 ]
		[ "$output" = "mkdir:/tmp/x: errno 9" ]
		wait "$AGENT_PID"
		AGENT_PID=
	done
	[ "$(ls "$ROOT"/.seccomp-cache/*.bpf | wc -l)" -eq 1 ]
}

@test "a damaged cache file is ignored and replaced" {
	is_runc && skip "brig's filter cache"
	set_profile "$(jq -c '.syscalls = [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]' <<<"$ALLOW_ALL")"
	set_args /bin/probe mkdir:/dev/shm/x
	run brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	f=$(ls "$ROOT"/.seccomp-cache/*.bpf)
	head -c 100 "$f" >"$f.short" && mv "$f.short" "$f"
	run --separate-stderr brig --debug run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "mkdir:/dev/shm/x: errno 38" ]
	[[ $stderr == *"compiled and cached"* ]]
	[ "$(stat -c %s "$f")" -gt 100 ]
}

# ------------------------------------------------- cache: planted filters
#
# The attacks below plant, where brig looks for a compiled filter, the
# right key text (brig's build id, libseccomp's version and the profile:
# nothing secret) with an allow-all program, then check that the
# container's mkdir is still refused.  The other user is uid 4242 (no
# account needed: setpriv, or files chown'ed to it).

ATTACKER=4242
as_attacker() { setpriv --reuid=$ATTACKER --regid=$ATTACKER --clear-groups -- sh -c "$1"; }

# refusing_profile — mkdir answers ENOSYS (38); the process probes mkdir.
refusing_profile() {
	set_profile "$(jq -c '.syscalls = [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 38}]' <<<"$ALLOW_ALL")"
	set_args /bin/probe mkdir:/dev/shm/x
}

# run_refused [brig options] — run the container with --debug and check
# that its mkdir was refused.
run_refused() {
	run --separate-stderr brig --debug "$@" run --bundle "$BUNDLE" "$CID"
	echo "# status=$status stdout: $output" >&2
	echo "# stderr: $stderr" >&2
	[ "$status" -eq 0 ]
	[ "$output" = "mkdir:/dev/shm/x: errno 38" ]
}

# forge_allow_all FILE OUT — FILE's header and key text with its program
# replaced by one instruction, `ret ALLOW`; whatever followed the program
# (an integrity trailer) is copied unchanged.  With INSNS=N, N of them.
forge_allow_all() {
	local f=$1 out=$2 tlen n size rest i
	tlen=$(od -An -tu4 -j16 -N4 "$f" | tr -d ' ')
	n=$(od -An -tu4 -j20 -N4 "$f" | tr -d ' ')
	size=$(stat -c %s "$f")
	rest=$((size - 24 - tlen - 8 * n))
	{
		head -c 20 "$f"
		printf "$(printf '\\%03o\\%03o' $((${INSNS:-1} & 255)) $((${INSNS:-1} >> 8)))\\000\\000"
		tail -c +25 "$f" | head -c "$tlen"
		for ((i = 0; i < ${INSNS:-1}; i++)); do
			printf '\006\000\000\000\000\000\377\177' # BPF_RET|BPF_K, SECCOMP_RET_ALLOW
		done
		if [ "$rest" -gt 0 ]; then tail -c "$rest" "$f"; fi
	} >"$out"
}

# cache_filled — run once as root: the filter brig compiled is cached;
# CACHED is its file.
cache_filled() {
	refusing_profile
	run_refused
	CACHED=$(ls "$ROOT"/.seccomp-cache/*.bpf)
	[ "$(echo "$CACHED" | wc -l)" -eq 1 ]
}

@test "cache attack: another user's state root holds a planted filter" {
	is_runc && skip "brig's filter cache"
	# the real entry, made under another root: the key text does not
	# depend on --root
	local root=$ROOT name
	ROOT=$TESTDIR/ref cache_filled
	name=$(basename "$CACHED")
	forge_allow_all "$CACHED" "$TESTDIR/forged"
	chmod 644 "$TESTDIR/forged"
	# uid 4242 made the state root before root used it, and its cache
	mkdir "$root"
	chown $ATTACKER:$ATTACKER "$root"
	as_attacker "mkdir $root/.seccomp-cache && cp $TESTDIR/forged $root/.seccomp-cache/$name"
	# such a root is refused as a whole (it could forge any state, not
	# only the cache): one line, and nothing run
	run --separate-stderr "$BRIG" --root "$root" run --bundle "$BUNDLE" "$CID"
	echo "$stderr" >&2
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"--root $root: owned by uid $ATTACKER"* ]]
	# and root wrote nothing into it
	[ "$(ls -A "$root/.seccomp-cache")" = "$name" ]
	cmp "$root/.seccomp-cache/$name" "$TESTDIR/forged"
}

@test "cache attack: a cache directory others can write is not used" {
	is_runc && skip "brig's filter cache"
	cache_filled
	forge_allow_all "$CACHED" "$TESTDIR/forged"
	cp "$TESTDIR/forged" "$CACHED" # root's own file, as another user could not
	for mode in 0777 1777 0770 0720 0702; do
		chmod "$mode" "$ROOT/.seccomp-cache"
		run_refused
		[[ $stderr == *".seccomp-cache not used: writable by group or others (mode $mode)"* ]]
		cmp "$CACHED" "$TESTDIR/forged" # not written there either
	done
}

@test "cache attack: a cache file another user owns or can write is not used" {
	is_runc && skip "brig's filter cache"
	cache_filled
	forge_allow_all "$CACHED" "$TESTDIR/forged"
	# planted while the directory was open to them, then the directory
	# was put right: the files stay
	for how in "chown $ATTACKER" "chmod 0666" "chmod 0620" "chmod 0602"; do
		cp "$TESTDIR/forged" "$CACHED"
		$how "$CACHED"
		run_refused
		case $how in
		chown*) [[ $stderr == *"$(basename "$CACHED") not used: owned by uid $ATTACKER"* ]] ;;
		*) [[ $stderr == *"$(basename "$CACHED") not used: writable by group or others"* ]] ;;
		esac
		# replaced by root's own
		[ "$(stat -c '%u %a %h' "$CACHED")" = "0 600 1" ]
		run_refused
		[[ $stderr == *"seccomp filter from the cache"* ]]
	done
}

@test "cache attack: a symlink as the cache directory is not followed" {
	is_runc && skip "brig's filter cache"
	cache_filled
	forge_allow_all "$CACHED" "$TESTDIR/forged"
	# a directory as good as the real one (root's, 0700), with the plant
	mkdir -m 700 "$TESTDIR/elsewhere"
	cp "$TESTDIR/forged" "$TESTDIR/elsewhere/$(basename "$CACHED")"
	rm -rf "$ROOT/.seccomp-cache"
	ln -s "$TESTDIR/elsewhere" "$ROOT/.seccomp-cache"
	run_refused
	[[ $stderr == *".seccomp-cache not used: a symlink"* ]]
	[ "$(ls -A "$TESTDIR/elsewhere")" = "$(basename "$CACHED")" ]
}

@test "cache attack: a symlink as the cache file is not followed" {
	is_runc && skip "brig's filter cache"
	cache_filled
	forge_allow_all "$CACHED" "$TESTDIR/forged"
	cp "$TESTDIR/forged" "$TESTDIR/forged.orig"
	ln -sf "$TESTDIR/forged" "$CACHED"
	run_refused
	[[ $stderr == *"$(basename "$CACHED") not used: a symlink"* ]]
	# replaced by a file of its own; the target is untouched
	[ ! -L "$CACHED" ]
	cmp "$TESTDIR/forged" "$TESTDIR/forged.orig"
}

@test "cache attack: a hard-linked cache file is not used" {
	is_runc && skip "brig's filter cache"
	cache_filled
	forge_allow_all "$CACHED" "$TESTDIR/forged"
	cp "$TESTDIR/forged" "$CACHED"
	ln "$CACHED" "$TESTDIR/second-name"
	run_refused
	[[ $stderr == *"$(basename "$CACHED") not used: 2 links"* ]]
	# replaced; the other name keeps its file
	[ "$(stat -c %h "$CACHED")" -eq 1 ]
	cmp "$TESTDIR/second-name" "$TESTDIR/forged"
}

@test "cache attack: an altered program in root's own cache file is not used" {
	is_runc && skip "brig's filter cache"
	cache_filled
	forge_allow_all "$CACHED" "$TESTDIR/forged"
	cp "$TESTDIR/forged" "$CACHED"
	run_refused
	[[ $stderr == *"$(basename "$CACHED") not used: fails its integrity check"* ]]
	run_refused
	[[ $stderr == *"seccomp filter from the cache"* ]]
}

@test "cache attack: a malformed program (more than BPF_MAXINSNS) is recompiled, not loaded" {
	is_runc && skip "brig's filter cache"
	cache_filled
	INSNS=4097 forge_allow_all "$CACHED" "$TESTDIR/forged"
	cp "$TESTDIR/forged" "$CACHED"
	run_refused
	[[ $stderr == *"$(basename "$CACHED") not used: "* ]]
	# cut short: the program's length is no multiple of an instruction
	head -c -3 "$TESTDIR/forged" >"$CACHED"
	run_refused
	[[ $stderr == *"$(basename "$CACHED") not used: "* ]]
}

@test "cache attack: exec does not use a planted filter either" {
	is_runc && skip "brig's filter cache"
	refusing_profile
	set_args sleep 1000
	run_detached "$CID"
	run --separate-stderr brig exec "$CID" /bin/probe mkdir:/dev/shm/x
	[ "$output" = "mkdir:/dev/shm/x: errno 38" ]
	for f in "$ROOT"/.seccomp-cache/*.bpf; do
		forge_allow_all "$f" "$f.forged"
		mv "$f.forged" "$f"
	done
	chown $ATTACKER "$ROOT/.seccomp-cache"
	run --separate-stderr brig --debug exec "$CID" /bin/probe mkdir:/dev/shm/x
	echo "# $output / $stderr" >&2
	[ "$output" = "mkdir:/dev/shm/x: errno 38" ]
	[[ $stderr == *".seccomp-cache not used: owned by uid $ATTACKER"* ]]
}

@test "the cache directory is made 0700 and its files 0600" {
	is_runc && skip "brig's filter cache"
	cache_filled
	[ "$(stat -c '%u %a' "$ROOT/.seccomp-cache")" = "0 700" ]
	[ "$(stat -c '%u %a %h' "$CACHED")" = "0 600 1" ]
}
