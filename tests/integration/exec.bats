#!/usr/bin/env bats
# brig exec: a new process in a running container — its namespaces, cgroup,
# user, capabilities, seccomp, terminal and exit code.

load helpers

setup() {
	setup_bundle
	share_dir
	update_config '.hostname = "exec-host"'
}
teardown() { teardown_bundle; }

# start_ctr [SCRIPT] — run the container detached, its init running SCRIPT
# (default: mark /dev/shm, then sleep), and wait until it is up.
start_ctr() {
	set_args sh -c "${1:-echo by-init >/dev/shm/mark; exec sleep 1000}"
	run_detached "$CID"
	wait_status "$CID" running
	INIT_PID=$(state_field "$CID" pid)
}

# dexec ARG... — a detached brig exec with stdio on files (a process left
# holding bats' pipes would make bats wait for it).
dexec() {
	brig exec -d "$@" </dev/null >"$TESTDIR/dexec.out" 2>"$TESTDIR/dexec.err"
	local rc=$?
	[ $rc -eq 0 ] || cat "$TESTDIR/dexec.err" >&2
	return $rc
}

# bexec ARG... — brig exec through bats' run, stdout and stderr apart.
bexec() {
	run --separate-stderr brig exec "$@"
	echo "# exec $*: status=$status" >&2
	echo "# stdout: $output" >&2
	echo "# stderr: $stderr" >&2
}

@test "exec joins every namespace of the container" {
	start_ctr
	local n script=''
	for n in pid net ipc uts mnt cgroup user time; do
		script+="echo $n \$(readlink /proc/self/ns/$n);"
	done
	bexec "$CID" sh -c "$script"
	[ "$status" -eq 0 ]
	for n in pid net ipc uts mnt cgroup user time; do
		grep -qxF "$n $(readlink /proc/$INIT_PID/ns/$n)" <<<"$output"
	done
	# what the container shows: its hostname, its init as pid 1, its files
	bexec "$CID" sh -c 'hostname; cat /proc/1/cmdline | tr "\0" " "; echo; cat /dev/shm/mark'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = exec-host ]
	[ "${lines[1]}" = "sleep 1000 " ]
	[ "${lines[2]}" = by-init ]
}

@test "exec's root is the container's root" {
	start_ctr
	bexec "$CID" sh -c 'ls /; cat /proc/self/mountinfo | wc -l'
	[ "$status" -eq 0 ]
	grep -qx shared <<<"$output" # the container's bind mount
	bexec "$CID" sh -c 'echo hi >/shared/x'
	[ "$(cat "$SHARED/x")" = hi ]
}

@test "exec in a user namespace container" {
	update_config '.linux.namespaces += [{type: "user"}]
		| .linux.uidMappings = [{containerID: 0, hostID: 200000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 200000, size: 65536}]'
	chown -R 200000:200000 "$BUNDLE/rootfs"
	start_ctr 'exec sleep 1000'
	bexec "$CID" sh -c 'id -u; cat /proc/self/uid_map; readlink /proc/self/ns/user'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "$(echo ${lines[1]})" = "0 200000 65536" ]
	[ "${lines[2]}" = "$(readlink /proc/$INIT_PID/ns/user)" ]
	# host-side: the exec'd process runs as the mapped uid
	dexec --pid-file "$TESTDIR/p" "$CID" sleep 100
	[ "$(awk '/^Uid:/ {print $2}' /proc/$(cat "$TESTDIR/p")/status)" = 200000 ]
}

@test "exit code propagates; a signal gives 128+N" {
	start_ctr
	bexec "$CID" sh -c 'exit 7'
	[ "$status" -eq 7 ]
	bexec "$CID" true
	[ "$status" -eq 0 ]
	bexec "$CID" sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
}

@test "env: the container's, then --env overrides and adds" {
	update_config '.process.env = ["PATH=/bin", "FOO=from-config", "KEEP=1"]'
	start_ctr
	bexec -e FOO=over -e NEW=x=y "$CID" sh -c 'echo $FOO; echo $NEW; echo $KEEP; echo $PATH; env | grep -c ^FOO='
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = over ]
	[ "${lines[1]}" = x=y ]
	[ "${lines[2]}" = 1 ]
	[ "${lines[3]}" = /bin ]
	[ "${lines[4]}" = 1 ]
}

@test "--cwd, and the container's cwd by default" {
	update_config '.process.cwd = "/home/user"'
	start_ctr
	bexec "$CID" pwd
	[ "$output" = /home/user ]
	bexec --cwd /tmp "$CID" pwd
	[ "$output" = /tmp ]
	bexec --cwd relative "$CID" pwd
	[ "$status" -ne 0 ]
	assert_error_line
}

@test "--user and --additional-gids" {
	start_ctr
	bexec --user 1000:1000 -g 100 -g 65534 "$CID" sh -c \
		'id -u; id -g; grep ^Groups: /proc/self/status; grep ^CapEff: /proc/self/status'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
	[ "$(echo ${lines[2]})" = "Groups: 100 65534" ]
	[ "$(echo ${lines[3]})" = "CapEff: 0000000000000000" ]
	bexec --user 1000 "$CID" sh -c 'id -u; id -g'
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 0 ]
	bexec --user nobody "$CID" true
	[ "$status" -ne 0 ]
	assert_error_line
}

@test "capabilities: the container's, plus --cap" {
	start_ctr
	local want
	want=$(awk '/^CapBnd:/ {print $2}' /proc/$INIT_PID/status)
	bexec "$CID" grep -E '^Cap(Bnd|Eff):' /proc/self/status
	[ "$status" -eq 0 ]
	grep -qE "^CapBnd:\s+$want$" <<<"$output"
	grep -qE "^CapEff:\s+$want$" <<<"$output"
	# CAP_SYS_ADMIN is bit 21: not in the default set
	[ $((0x$want & (1 << 21))) -eq 0 ]
	bexec --cap CAP_SYS_ADMIN "$CID" awk '/^CapEff:/ {print $2}' /proc/self/status
	[ "$status" -eq 0 ]
	[ $((0x$output & (1 << 21))) -ne 0 ]
	[ $((0x$output & ~(1 << 21))) -eq $((0x$want)) ]
	# CVE-2022-29162: --cap never lands in the inheritable set (a program
	# with file capabilities would gain it), nor in the ambient one
	# without inheritable capabilities in the config, as runc 1.1
	bexec --cap CAP_SYS_ADMIN "$CID" grep -E '^Cap(Inh|Amb):' /proc/self/status
	[ "$status" -eq 0 ]
	grep -qE "^CapInh:\s+0+$" <<<"$output"
	grep -qE "^CapAmb:\s+0+$" <<<"$output"
	# as runc 1.1: a capability this kernel does not know is a warning
	bexec --cap CAP_NOT_A_THING "$CID" true
	[ "$status" -eq 0 ]
	[[ $stderr == *CAP_NOT_A_THING* ]]
	is_runc && return 0 # runc warns; brig refuses a malformed name
	bexec --cap not-a-cap "$CID" true
	[ "$status" -ne 0 ]
	assert_error_line
}

@test "--no-new-privs" {
	update_config '.process.noNewPrivileges = false'
	start_ctr
	bexec "$CID" grep ^NoNewPrivs: /proc/self/status
	[ "$(echo $output)" = "NoNewPrivs: 0" ]
	bexec --no-new-privs "$CID" grep ^NoNewPrivs: /proc/self/status
	[ "$(echo $output)" = "NoNewPrivs: 1" ]
}

@test "--process FILE: args, env, cwd, user from a process.json" {
	start_ctr
	jq -n '{terminal: false, user: {uid: 1000, gid: 100, additionalGids: [65534]},
		args: ["sh", "-c", "echo $A; pwd; id -u; id -g; grep ^Groups: /proc/self/status; grep ^CapBnd: /proc/self/status"],
		env: ["A=from-process-json", "PATH=/bin"], cwd: "/tmp"}' >"$TESTDIR/process.json"
	bexec --process "$TESTDIR/process.json" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-process-json ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 100 ]
	[ "$(echo ${lines[4]})" = "Groups: 65534" ]
	# no capabilities in the file: the container's bounding set
	[ "$(echo ${lines[5]})" = "$(grep ^CapBnd: /proc/$INIT_PID/status | tr -s '\t ' ' ')" ]

	echo '{"args": []}' >"$TESTDIR/bad.json"
	bexec -p "$TESTDIR/bad.json" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
}

@test "--detach and --pid-file: the process runs on in the container's cgroup" {
	start_ctr
	dexec --pid-file "$TESTDIR/exec.pid" "$CID" sh -c 'echo started >/shared/started; exec sleep 1000'
	local pid
	pid=$(cat "$TESTDIR/exec.pid")
	proc_alive "$pid"
	wait_file "$SHARED/started"
	# not brig's child any more (brig has exited)
	[ "$(awk '{print $4}' /proc/$pid/stat)" != "$$" ]
	[ "$(tr '\0' ' ' </proc/$pid/cmdline)" = "sleep 1000 " ]
	# same cgroups, in every hierarchy, as the init
	diff <(sort /proc/$pid/cgroup) <(sort /proc/$INIT_PID/cgroup)
	[ "$(readlink /proc/$pid/ns/pid)" = "$(readlink /proc/$INIT_PID/ns/pid)" ]
	# delete -f stops every process of the container, this one too
	brig delete -f "$CID"
	! proc_alive "$pid" || false
}

@test "--pid-file in a directory the container writes: a name planted there is not written through" {
	start_ctr
	# $TESTDIR/shadow stands for /etc/shadow: the container cannot see it
	printf 'root:$6$not-for-the-container:19000:0:99999:7:::\n' >"$TESTDIR/shadow"
	local sum
	sum=$(sha256sum <"$TESTDIR/shadow")
	# the temporary name brig b288b02 opened (O_TRUNC, following links),
	# and the pid file itself, are symlinks to the host file
	bexec "$CID" sh -c "ln -s '$TESTDIR/shadow' /shared/exec.pid.brig-tmp && ln -s '$TESTDIR/shadow' /shared/exec.pid"
	[ "$status" -eq 0 ]
	dexec --pid-file "$SHARED/exec.pid" "$CID" sleep 1000
	ls -la "$SHARED" >&2
	[ "$(sha256sum <"$TESTDIR/shadow")" = "$sum" ]
	[ -f "$SHARED/exec.pid" ] && [ ! -L "$SHARED/exec.pid" ]
	proc_alive "$(cat "$SHARED/exec.pid")"
	[ -z "$(find "$SHARED" -name '.brig-pid.*')" ]
}

@test "a foreground exec is in the container's cgroup too" {
	start_ctr
	bexec "$CID" sh -c 'cat /proc/self/cgroup; echo --; cat /proc/1/cgroup'
	[ "$status" -eq 0 ]
	# seen from inside, the same cgroups as the container's init
	[ "$(sed '/^--$/,$d' <<<"$output")" = "$(sed '1,/^--$/d' <<<"$output")" ]
	is_runc && return 0
	# the container has a cgroup namespace: its own cgroups are its root
	! grep -v ':/$' <<<"$output" | grep -v '^--$' || false
}

@test "--tty with --console-socket sends the terminal's master" {
	start_ctr
	local recvtty sock=$TESTDIR/console.sock
	recvtty=$(recvtty_bin)
	"$recvtty" "$sock" >"$TESTDIR/tty.out" 2>"$TESTDIR/tty.err" &
	local rpid=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.02; done
	dexec -t --console-socket "$sock" "$CID" sh -c 'tty; [ -t 0 ] && echo stdin-is-tty; echo done'
	wait "$rpid"
	local out
	out=$(tr -d '\r' <"$TESTDIR/tty.out")
	echo "$out"
	[[ $(sed -n 1p <<<"$out") =~ ^/dev/pts/[0-9]+$ ]]
	grep -qx stdin-is-tty <<<"$out"
	grep -qx done <<<"$out"
}

@test "--tty in the foreground proxies the terminal (under script)" {
	start_ctr
	run script -qec "$BRIG --root $ROOT exec -t $CID sh -c 'tty; stty size >/dev/null && echo sized; exit 3'" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output =~ /dev/pts/[0-9]+ ]]
	[[ $output == *sized* ]]
	# the exec'd terminal is not the container's /dev/console
	bexec "$CID" sh -c 'test -e /dev/console && ls -l /dev/console; true'
	[[ $output != *pts* ]]
}

@test "a detached --tty needs --console-socket" {
	start_ctr
	bexec -d -t "$CID" true
	[ "$status" -ne 0 ]
	assert_error_line
}

@test "only stdio reaches the process, plus --preserve-fds" {
	start_ctr
	exec 7<"$BUNDLE/config.json"
	bexec "$CID" sh -c 'ls /proc/$$/fd; true'
	exec 7<&-
	[ "$status" -eq 0 ]
	[ "$(sort -n <<<"$output" | tr '\n' ' ')" = "0 1 2 " ]

	echo "through fd 3" >"$TESTDIR/fdfile"
	run --separate-stderr brig exec --preserve-fds 1 "$CID" sh -c 'cat <&3; ls /proc/$$/fd; true' 3<"$TESTDIR/fdfile"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "through fd 3" ]
	[ "$(printf '%s\n' "${lines[@]:1}" | sort -n | tr '\n' ' ')" = "0 1 2 3 " ]
}

@test "the container's seccomp filter applies to exec" {
	update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO"}]}'
	start_ctr
	bexec "$CID" sh -c 'mkdir /dev/shm/d && echo MADE; grep ^Seccomp: /proc/self/status'
	[[ $output != *MADE* ]]
	[ "$(echo ${lines[-1]})" = "Seccomp: 2" ]
}

@test "exec into a stopped container is refused" {
	set_args true
	run_detached "$CID"
	wait_status "$CID" stopped
	bexec "$CID" true
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *stopped* ]]
}

@test "exec errors: no such container, no command, missing executable; exec's own failure is 255, as runc's" {
	bexec nosuch-$CID true
	[ "$status" -eq 255 ]
	assert_error_line
	start_ctr
	bexec "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	bexec --cwd /no/such/dir "$CID" true
	[ "$status" -eq 255 ]
	bexec "$CID" /no/such/binary
	[ "$status" -eq 255 ]
	assert_error_line
	[[ $stderr == *"/no/such/binary"* ]]
	# the container is unharmed
	bexec "$CID" true
	[ "$status" -eq 0 ]
}

# The stub reports execve's failure over the channel; a message near the
# channel's 4 KiB (a long path) must arrive cut, not as "protocol error".
@test "exec of a program execve refuses, with a path near PATH_MAX: one line naming it" {
	local dir
	dir=/$(printf 'a%.0s' {1..250})
	for _ in $(seq 15); do dir+=/$(printf 'b%.0s' {1..250}); done
	dir+=/$(printf 'c%.0s' {1..60})
	# relative to the rootfs: with the bundle's path it is over PATH_MAX
	(cd "$BUNDLE/rootfs" && mkdir -p "${dir#/}" && cd "${dir#/}" &&
		printf '\177ELF\0\0garbage' >x && chmod +x x)
	start_ctr
	bexec "$CID" "$dir/x"
	# runc's init reports this one late, as the process's exit 1
	[ "$status" -ne 0 ]
	is_runc || [ "$status" -eq 255 ]
	assert_error_line
	[[ $stderr == *"/aaaa"* ]]
	[[ $stderr != *"protocol error"* ]]
}

@test "exec into a paused container: refused, or waits with --ignore-paused" {
	start_ctr
	brig pause "$CID"
	wait_status "$CID" paused
	bexec "$CID" true
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *paused* ]]
	# with --ignore-paused the process is started frozen and runs on resume
	brig exec --ignore-paused "$CID" sh -c 'echo ran >/shared/ran' \
		</dev/null >"$TESTDIR/ip.out" 2>"$TESTDIR/ip.err" &
	local epid=$!
	sleep 0.5
	[ ! -e "$SHARED/ran" ]
	brig resume "$CID"
	wait "$epid"
	[ "$(cat "$SHARED/ran")" = ran ]
}
