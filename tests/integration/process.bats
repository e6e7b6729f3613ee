#!/usr/bin/env bats
# The container's process: args, env, cwd, user, umask, limits, terminal.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "args reach the process unchanged" {
	set_args sh -c 'printf "[%s]" "$0" "$@"; echo' zero "a b" 'c"d' "" "é \$HOME"
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = '[zero][a b][c"d][][é $HOME]' ]
}

@test "env is exactly the config's (plus HOME)" {
	update_config '.process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY=", "TERM=dumb"]'
	run_sh 'env | sort'
	[ "$status" -eq 0 ]
	local filtered
	# Shells add PWD, SHLVL; runtimes add HOME when the config has none.
	filtered=$(grep -v -E '^(PWD|SHLVL|HOME|_)=' <<<"$output")
	[ "$filtered" = "$(printf '%s\n' EMPTY= 'FOO=bar baz' PATH=/bin TERM=dumb)" ]
	# HOME comes from /etc/passwd for root.
	grep -qx 'HOME=/root' <<<"$output"
}

@test "PATH from the config finds the executable" {
	mkdir -p "$BUNDLE/rootfs/opt/tools"
	printf '#!/bin/sh\necho mytool ran\n' >"$BUNDLE/rootfs/opt/tools/mytool"
	chmod 755 "$BUNDLE/rootfs/opt/tools/mytool"
	update_config '.process.env = ["PATH=/opt/tools:/bin"]'
	set_args mytool
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "mytool ran" ]
}

@test "cwd is the config's" {
	update_config '.process.cwd = "/home/user"'
	run_sh 'pwd'
	[ "$status" -eq 0 ]
	[ "$output" = /home/user ]
	update_config '.process.cwd = "/"'
	run_sh 'pwd'
	[ "$output" = / ]
}

@test "user: uid, gid and additionalGids" {
	update_config '.process.user = {uid: 1000, gid: 100, additionalGids: [1000, 65534]}'
	run_sh 'id -u; id -g; grep ^Groups: /proc/self/status; id -un; grep -E "^(Uid|Gid):" /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 100 ]
	[ "$(echo ${lines[2]})" = "Groups: 1000 65534" ]
	[ "${lines[3]}" = user ]
	# real, effective, saved and fs ids all switched
	[ "$(echo ${lines[4]})" = "Uid: 1000 1000 1000 1000" ]
	[ "$(echo ${lines[5]})" = "Gid: 100 100 100 100" ]
}

@test "user: a non-root user cannot do root things" {
	update_config '.process.user = {uid: 1000, gid: 1000} | .root.readonly = false'
	run_sh 'touch /etc/passwd && echo WROTE; grep ^CapEff: /proc/self/status; echo ok'
	[ "$status" -eq 0 ]
	[[ $output != *WROTE* ]]
	[ "$(echo ${lines[-2]})" = "CapEff: 0000000000000000" ]
}

@test "umask" {
	update_config '.root.readonly = false | .process.user.umask = 63'
	run_sh 'umask; touch /tmp/f; stat -c %a /tmp/f'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0077 ]
	[ "${lines[1]}" = 600 ]

	update_config 'del(.process.user.umask)'
	run_sh 'umask'
	[ "$output" = 0022 ]
}

@test "rlimits" {
	update_config '.process.rlimits = [
		{type: "RLIMIT_NOFILE", soft: 123, hard: 456},
		{type: "RLIMIT_NPROC", soft: 77, hard: 88},
		{type: "RLIMIT_CORE", soft: 0, hard: 0}]'
	run_sh 'ulimit -n; grep -E "^Max (open files|processes|core file size)" /proc/self/limits'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 123 ]
	grep -E '^Max open files +123 +456 ' <<<"$output"
	grep -E '^Max processes +77 +88 ' <<<"$output"
	grep -E '^Max core file size +0 +0 ' <<<"$output"
}

@test "oomScoreAdj" {
	update_config '.process.oomScoreAdj = 123'
	run_sh 'cat /proc/self/oom_score_adj'
	[ "$status" -eq 0 ]
	[ "$output" = 123 ]
}

@test "oomScoreAdj in a user namespace, and for exec's process (Docker's exec sends one)" {
	# written from outside the container's user and pid namespaces: from
	# inside, a lower value is refused and /proc/self is not the process
	update_config '.process.oomScoreAdj = 123'
	add_namespace user
	update_config '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	chown -R -h 100000:100000 "$BUNDLE/rootfs"
	run_sh 'cat /proc/self/oom_score_adj'
	[ "$status" -eq 0 ]
	[ "$output" = 123 ]
	remove_namespace user
	update_config 'del(.linux.uidMappings, .linux.gidMappings)'
	chown -R -h 0:0 "$BUNDLE/rootfs"
	set_args sleep 100
	run_detached "$CID-x"
	jq -n '{args: ["cat", "/proc/self/oom_score_adj"], cwd: "/", oomScoreAdj: 456, user: {uid: 0, gid: 0}}' >"$TESTDIR/p.json"
	run --separate-stderr brig exec --process "$TESTDIR/p.json" "$CID-x"
	echo "$status $output $stderr" >&2
	[ "$status" -eq 0 ]
	[ "$output" = 456 ]
}

@test "noNewPrivileges on and off" {
	update_config '.process.noNewPrivileges = true'
	run_sh 'grep ^NoNewPrivs: /proc/self/status'
	[ "$(echo $output)" = "NoNewPrivs: 1" ]
	update_config '.process.noNewPrivileges = false'
	run_sh 'grep ^NoNewPrivs: /proc/self/status'
	[ "$(echo $output)" = "NoNewPrivs: 0" ]
}

@test "capabilities: only the listed ones" {
	update_config '.process.capabilities = {
		bounding: ["CAP_NET_BIND_SERVICE", "CAP_CHOWN"],
		effective: ["CAP_NET_BIND_SERVICE"],
		permitted: ["CAP_NET_BIND_SERVICE", "CAP_CHOWN"],
		inheritable: []}'
	run_sh 'grep -E "^Cap(Eff|Prm|Bnd):" /proc/self/status'
	[ "$status" -eq 0 ]
	# CAP_CHOWN = bit 0, CAP_NET_BIND_SERVICE = bit 10 (as root, execve
	# makes the effective set the permitted one).
	grep -E '^CapPrm:\s+0000000000000401$' <<<"$output"
	grep -E '^CapEff:\s+0000000000000401$' <<<"$output"
	grep -E '^CapBnd:\s+0000000000000401$' <<<"$output"

	# As a user, only ambient capabilities survive execve.
	update_config '.process.user = {uid: 1000, gid: 1000}
		| .process.capabilities.inheritable = ["CAP_NET_BIND_SERVICE"]
		| .process.capabilities.ambient = ["CAP_NET_BIND_SERVICE"]'
	run_sh 'grep -E "^Cap(Eff|Amb):" /proc/self/status'
	[ "$status" -eq 0 ]
	grep -E '^CapEff:\s+0000000000000400$' <<<"$output"
	grep -E '^CapAmb:\s+0000000000000400$' <<<"$output"
}

@test "no file descriptor of the runtime reaches the container" {
	exec 7<"$BUNDLE/config.json"
	# ls runs as a child of sh (PID 1; "; true" stops sh from exec'ing it).
	run_sh 'ls /proc/1/fd; true'
	exec 7<&-
	[ "$status" -eq 0 ]
	[ "$(sort -n <<<"$output" | tr '\n' ' ')" = "0 1 2 " ]
}

@test "the process starts with default signals, none ignored, whatever its caller ignored: run (started at once) and create+start (the stub)" {
	# (not through sh: busybox ash ignores SIGQUIT itself)
	set_args grep -E '^Sig(Ign|Blk):' /proc/self/status
	run --separate-stderr bash -c 'trap "" INT QUIT HUP PIPE; exec "$@"' _ \
		"$BRIG" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	echo "$output $stderr" >&2
	[ "$status" -eq 0 ]
	grep -E '^SigIgn:\s+0+$' <<<"$output"
	grep -E '^SigBlk:\s+0+$' <<<"$output"
	bash -c 'trap "" INT QUIT HUP PIPE; exec "$@"' _ "$BRIG" --root "$ROOT" create \
		--bundle "$BUNDLE" "$CID-2" </dev/null >"$TESTDIR/c2.out" 2>"$TESTDIR/c2.err"
	brig start "$CID-2"
	wait_status "$CID-2" stopped
	brig delete "$CID-2"
	cat "$TESTDIR/c2.out" "$TESTDIR/c2.err" >&2
	grep -E '^SigIgn:\s+0+$' "$TESTDIR/c2.out"
	grep -E '^SigBlk:\s+0+$' "$TESTDIR/c2.out"
}

@test "--preserve-fds passes extra descriptors" {
	echo "through fd 3" >"$TESTDIR/fdfile"
	set_args sh -c 'cat <&3; ls /proc/1/fd; true'
	run --separate-stderr brig run --preserve-fds 1 --bundle "$BUNDLE" "$CID" 3<"$TESTDIR/fdfile"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "through fd 3" ]
	[ "$(printf '%s\n' "${lines[@]:1}" | sort -n | tr '\n' ' ')" = "0 1 2 3 " ]
}

@test "terminal: a foreground run gets a pty" {
	update_config '.process.terminal = true'
	set_args sh -c 'tty; [ -t 0 ] && [ -t 1 ] && echo both-tty; exit 5'
	run script -qec "$(printf '%q ' "$BRIG" --root "$ROOT" run --bundle "$BUNDLE" "$CID")" /dev/null
	echo "$output"
	[ "$status" -eq 5 ]
	[[ $output =~ /dev/pts/[0-9]+ ]]
	[[ $output == *both-tty* ]]
}

@test "terminal: --console-socket receives the pty master; consoleSize applies" {
	local recvtty sock=$TESTDIR/console.sock
	recvtty=$(recvtty_bin)
	update_config '.process.terminal = true | .process.consoleSize = {height: 33, width: 101}'
	set_args sh -c 'tty; stty size; echo done'
	"$recvtty" "$sock" >"$TESTDIR/tty.out" 2>"$TESTDIR/tty.err" &
	local rpid=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.02; done
	run_detached "$CID" --console-socket "$sock"
	wait "$rpid"
	local out
	out=$(tr -d '\r' <"$TESTDIR/tty.out")
	echo "$out"
	[[ $(sed -n 1p <<<"$out") =~ ^/dev/pts/[0-9]+$ ]]
	[ "$(sed -n 2p <<<"$out")" = "33 101" ]
	[ "$(sed -n 3p <<<"$out")" = done ]
	wait_status "$CID" stopped
}

@test "terminal: create --console-socket then start" {
	local recvtty sock=$TESTDIR/console.sock
	recvtty=$(recvtty_bin)
	update_config '.process.terminal = true'
	set_args sh -c 'read line; echo "got $line"'
	"$recvtty" -i $'hello\n' "$sock" >"$TESTDIR/tty.out" &
	local rpid=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.02; done
	create_ctr "$CID" --console-socket "$sock"
	[ "$(state_field "$CID" status)" = created ]
	brig start "$CID"
	wait "$rpid"
	grep -q "got hello" "$TESTDIR/tty.out"
}

@test "a new session keyring of its own, unless --no-new-keyring" {
	update_config '.linux.maskedPaths = []'
	run_sh 'grep -c "_ses\.'"$CID"'" /proc/keys'
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	# another id: the first run's keyring can still be listed in
	# /proc/keys until the kernel's key garbage collector has run
	set_args sh -c 'grep -c "_ses\.'"$CID-nk"'" /proc/keys || true'
	run --separate-stderr brig run --no-new-keyring --bundle "$BUNDLE" "$CID-nk"
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
}

@test "a capability brig's own bounding set lacks: left out with a warning, the container runs (runtime spec; runc 1.1.5 fails)" {
	grep -q '^CapBnd:' /proc/self/status
	local bnd
	bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
	# CAP_SYS_RESOURCE is 24: only a host without it can show this
	[ $(((0x$bnd >> 24) & 1)) -eq 0 ] || skip "this host's bounding set has CAP_SYS_RESOURCE"
	is_runc && skip "runc 1.1.5 refuses: unable to apply caps"
	update_config '.process.capabilities.bounding += ["CAP_SYS_RESOURCE"]
		| .process.capabilities.permitted += ["CAP_SYS_RESOURCE"]'
	set_args true
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $stderr == *"warning: config.json: process.capabilities.bounding["*"]: CAP_SYS_RESOURCE is not in brig's own bounding set, not granted"* ]]
}
