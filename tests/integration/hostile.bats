#!/usr/bin/env bats
# The container is hostile, whatever capabilities it holds: attacks on
# the runtime from inside a container with CAP_SYS_PTRACE (as `docker run
# --cap-add SYS_PTRACE` gives), and from whoever calls brig with
# descriptors left open.  The attacks are run by tests/integration/
# attacker.c inside the container; see docs/security.md.

load helpers

setup() {
	setup_bundle
	# a copy of the runtime: an attack that works corrupts the copy
	cp "$BRIG" "$TESTDIR/brig-copy"
	BRIG=$TESTDIR/brig-copy
	BRIG_SUM=$(md5sum <"$BRIG")
	# a file of the host that no container can see
	SECRET=$TESTDIR/host-secret
	echo secret >"$SECRET"
	share_dir
	cp "$(helper_bin attacker -static)" "$BUNDLE/rootfs/bin/attacker"
	update_config '.process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])'
}

teardown() { teardown_bundle; }

# report — what the attacker found (one word a line).
report() { cat "$SHARED/report" 2>/dev/null; }

# wait_report WORD — until the attacker's report has WORD (~15 s).
wait_report() {
	local i
	for i in $(seq 300); do
		grep -qx "$1" "$SHARED/report" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "no $1 in the report: $(report)" >&2
	return 1
}

# assert_held — the attacker reached nothing, the binary is intact.
assert_held() {
	echo "report: $(report | tr '\n' ' ')" >&2
	! grep -qx -e ROOT-ESCAPE -e FD-ESCAPE -e EXE-WRITE -e CGROUP-WRITE "$SHARED/report" || false
	[ "$(md5sum <"$BRIG")" = "$BRIG_SUM" ]
}

@test "exec: a container with CAP_SYS_PTRACE watching for new pids reaches no host file nor the binary" {
	# it watches until told to stop (a slow build, ASan, takes long)
	set_args /bin/attacker watch /shared/report "$SECRET" 600 /shared/stop
	run_detached "$CID"
	wait_report READY
	local i
	for i in $(seq 40); do
		brig exec "$CID" true </dev/null >/dev/null 2>&1
		brig exec --cwd /tmp "$CID" true </dev/null >/dev/null 2>&1
	done
	touch "$SHARED/stop"
	wait_report DONE
	assert_held
}

@test "exec: the process holds nothing of the host when it appears in the container" {
	set_args sleep 100
	run_detached "$CID"
	# the process stops itself as soon as it exists (a fault point)
	BRIG_FAULT=exec-process:stop "$BRIG" --root "$ROOT" exec --cwd /tmp "$CID" true \
		</dev/null >/dev/null 2>"$TESTDIR/exec.err" &
	local execpid=$! pid= i
	for i in $(seq 100); do
		pid=$(ps -o pid=,stat= --ppid "$execpid" | awk '$2 ~ /^T/ { print $1 }')
		[ -n "$pid" ] && break
		sleep 0.05
	done
	echo "exec $execpid, process $pid" >&2
	[ -n "$pid" ]
	local cpid
	cpid=$(state_field "$CID" pid)
	# in the container's root and cwd (the init's root, as the host sees
	# it); no descriptor but stdio and the channel to brig; in the
	# container's namespaces
	echo "root $(readlink "/proc/$pid/root"), cwd $(readlink "/proc/$pid/cwd")" >&2
	[ "$(readlink "/proc/$pid/root")" = "$(readlink "/proc/$cpid/root")" ]
	[ "$(stat -L -c %d:%i "/proc/$pid/root")" = "$(stat -L -c %d:%i "/proc/$cpid/root")" ]
	[ "$(stat -L -c %d:%i "/proc/$pid/cwd")" = "$(stat -L -c %d:%i "/proc/$cpid/root/tmp")" ]
	ls -l "/proc/$pid/fd" >&2
	[ "$(ls "/proc/$pid/fd" | wc -l)" -eq 4 ]
	local chan
	chan=$(ls "/proc/$pid/fd" | sort -n | sed -n 4p)
	[[ $(readlink "/proc/$pid/fd/$chan") == socket:* ]]
	for ns in mnt pid net ipc uts cgroup; do
		[ "$(readlink "/proc/$pid/ns/$ns")" = "$(readlink "/proc/$cpid/ns/$ns")" ]
	done
	# its capabilities are the container's, its seccomp filter is loaded
	[ "$(grep CapBnd "/proc/$pid/status")" = "$(grep CapBnd "/proc/$cpid/status")" ]
	[ "$(grep CapEff "/proc/$pid/status")" = "$(grep CapEff "/proc/$cpid/status")" ]
	grep -q 'Seccomp:.*2' "/proc/$pid/status"
	grep -q 'NoNewPrivs:.*1' "/proc/$pid/status"
	# and it is brig's stub, from a sealed memfd: no one can write it,
	# not even the host's root (busy while it runs, sealed after)
	[[ $(readlink "/proc/$pid/exe") == "/memfd:brig (deleted)" ]]
	run sh -c "echo pwn >>/proc/$pid/exe"
	[ "$status" -ne 0 ]
	kill -CONT "$pid"
	wait "$execpid"
	[ "$(md5sum <"$BRIG")" = "$BRIG_SUM" ]
}

@test "created: the init holds nothing of the host, and its binary cannot be written" {
	set_args sleep 100 # the attacker dies with the container's pid 1
	create_ctr "$CID"
	local pid fds
	pid=$(state_field "$CID" pid)
	# the attacker joins it, holds what it can, and waits for the start
	brig exec -d "$CID" /bin/attacker init /shared/report "$SECRET" /shared/go \
		</dev/null >/dev/null 2>&1
	wait_report READY
	# what it holds, seen from the host, before start
	ls -l "/proc/$pid/fd" >&2
	fds=$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')
	fifo=$(readlink "/proc/$pid/fd/$(ls "/proc/$pid/fd" | sort -n | sed -n 4p)")
	brig start "$CID"
	touch "$SHARED/go"
	wait_report DONE
	assert_held
	brig delete -f "$CID"
	# stdio and exec.fifo only
	[ "$(wc -w <<<"$fds")" -eq 4 ]
	[[ $fds == "0 1 2 "* ]]
	[[ $fifo == */exec.fifo ]]
}

@test "created: even the host's root cannot write the binary behind the init" {
	create_ctr "$CID"
	local pid
	pid=$(state_field "$CID" pid)
	[[ $(readlink "/proc/$pid/exe") == "/memfd:brig (deleted)" ]]
	# the stub's memfd is sealed: a descriptor kept cannot write it either
	exec 7</proc/$pid/exe
	run sh -c "echo pwn >>/proc/$pid/exe"
	echo "$output" >&2
	[ "$status" -ne 0 ]
	run sh -c "echo pwn >>/proc/self/fd/7"
	echo "$output" >&2
	[ "$status" -ne 0 ]
	brig delete -f "$CID"
	# after the init is gone too
	run sh -c "echo pwn >>/proc/self/fd/7"
	echo "$output" >&2
	[ "$status" -ne 0 ]
	exec 7<&-
	[ "$(md5sum <"$BRIG")" = "$BRIG_SUM" ]
}

# fds_of FILE — the descriptors listed (ls -l /proc/self/fd) in FILE,
# without the one ls reads the directory with.
fds_of() {
	awk '$1 ~ /^l/ && / -> / && $NF !~ /^\/proc\/[0-9]+\/fd$/ { printf "%s ", $(NF-2) }' "$1"
}

@test "a descriptor the caller left open reaches no hook and no container" {
	local h hooks='' kind
	# createContainer runs before pivot_root: host paths still resolve
	for kind in prestart createRuntime createContainer poststart poststop; do
		hooks+="$(jq -cn --arg k "$kind" --arg f "$TESTDIR/$kind.fds" \
			'{($k): [{path: "/bin/sh", args: ["sh", "-c", ("ls -l /proc/self/fd >" + $f)]}]}')"
	done
	hooks+="$(jq -cn '{startContainer: [{path: "/bin/sh", args: ["sh", "-c", "ls -l /proc/self/fd >/shared/startContainer.fds"]}]}')"
	update_config --argjson h "$(jq -s add <<<"$hooks")" '.hooks = $h'
	set_args sh -c 'ls -l /proc/self/fd >/shared/container.fds'
	# fd 7 left open by the caller, without close-on-exec
	(
		exec 7>>"$TESTDIR/leak"
		brig create --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>&1
		pid=$(brig state "$CID" | jq -r .pid)
		ls -l "/proc/$pid/fd" >"$TESTDIR/init.fds"
		brig start "$CID"
		wait_file "$SHARED/container.fds"
		wait_status "$CID" stopped
		brig delete "$CID"
	)
	for f in "$TESTDIR"/*.fds "$SHARED"/*.fds; do
		echo "$f: $(fds_of "$f")" >&2
		! grep -q leak "$f" || false
	done
	[ "$(ls "$TESTDIR"/*.fds "$SHARED"/*.fds | wc -l)" -eq 8 ]
	for f in prestart createRuntime createContainer poststart poststop; do
		[ "$(fds_of "$TESTDIR/$f.fds")" = "0 1 2 " ]
	done
	[ "$(fds_of "$SHARED/container.fds")" = "0 1 2 " ]
	[ "$(fds_of "$SHARED/startContainer.fds")" = "0 1 2 " ]
}

@test "exec: a descriptor the caller left open does not reach the process" {
	set_args sleep 100
	run_detached "$CID"
	run --separate-stderr bash -c 'exec 7>>"$1/leak"; shift; "$@"' _ "$TESTDIR" \
		"$BRIG" --root "$ROOT" exec "$CID" ls -l /proc/self/fd
	echo "$output" >&2
	[ "$status" -eq 0 ]
	[[ $output != *leak* ]]
}

@test "--preserve-fds N with a descriptor missing below 3+N is refused" {
	run --separate-stderr brig run --preserve-fds 2 --bundle "$BUNDLE" "$CID" 3</dev/null 4>&-
	echo "$stderr" >&2
	[ "$status" -ne 0 ]
	[[ $stderr == *"--preserve-fds 2: descriptor 4 is not open"* ]]
	assert_nothing_left "$CID"
}

@test "LISTEN_FDS: socket activation's descriptors go to the container, as runc passes them" {
	set_args sh -c 'echo "$LISTEN_FDS $LISTEN_PID"; cat <&3; ls /proc/self/fd'
	echo activated >"$TESTDIR/sock"
	run --separate-stderr bash -c 'exec 3<"$1"; shift; export LISTEN_FDS=1 LISTEN_PID=$$; exec "$@"' _ \
		"$TESTDIR/sock" "$BRIG" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
	echo "$output $stderr" >&2
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1 1" ]
	[ "${lines[1]}" = activated ]
	# LISTEN_PID not ours: nothing is passed
	run --separate-stderr bash -c 'exec 3<"$1"; shift; export LISTEN_FDS=1 LISTEN_PID=1; exec "$@"' _ \
		"$TESTDIR/sock" "$BRIG" --root "$ROOT" run --bundle "$BUNDLE" "$CID-2"
	[ "$status" -ne 0 ] || [[ $output != *activated* ]]
}

@test "a state root another user owns or can write is refused: a forged pid is never signalled" {
	# uid 4242 made the state root and forged a container whose pid is a
	# host process (its start time read from /proc, as anyone can)
	sleep 1000 &
	local victim=$! evil=$TESTDIR/evilroot st
	st=$(awk '{print $22}' "/proc/$victim/stat")
	mkdir -p "$evil/forged"
	jq -n --argjson pid "$victim" --argjson st "$st" --arg b "$BUNDLE" \
		'{ociVersion: "1.0.2", id: "forged", pid: $pid, status: "running", bundle: $b,
		  rootfs: ($b + "/rootfs"), created: "2026-01-01T00:00:00Z", owner: "root",
		  brig: {startTime: $st}}' >"$evil/forged/state.json"
	chown -R 4242 "$evil"
	run --separate-stderr "$BRIG" --root "$evil" kill forged KILL
	echo "$stderr" >&2
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"--root $evil: owned by uid 4242"* ]]
	run --separate-stderr "$BRIG" --root "$evil" delete -f forged
	[ "$status" -ne 0 ]
	proc_alive "$victim"
	# ours, but writable by others: the same
	chown -R 0 "$evil"
	chmod 0777 "$evil"
	run --separate-stderr "$BRIG" --root "$evil" kill forged KILL
	[ "$status" -ne 0 ]
	[[ $stderr == *"not writable by others"* ]]
	proc_alive "$victim"
	kill "$victim"
	# ours and closed: it works (and the forged record's pid is ours)
	chmod 0711 "$evil"
	run "$BRIG" --root "$evil" list -q
	[ "$status" -eq 0 ]
}

@test "the image's /etc/passwd as a FIFO or a link to /dev/zero does not hang run or exec" {
	BRIG_TIMEOUT=15
	set_args sh -c 'echo "home=$HOME"'
	rm "$BUNDLE/rootfs/etc/passwd"
	ln -s /dev/zero "$BUNDLE/rootfs/etc/passwd"
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	echo "$status $output $stderr" >&2
	[ "$status" -eq 0 ]
	[ "$output" = "home=/" ]
	rm "$BUNDLE/rootfs/etc/passwd"
	mkfifo "$BUNDLE/rootfs/etc/passwd"
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = "home=/" ]
	set_args sleep 100
	run_detached "$CID"
	run --separate-stderr brig exec "$CID" sh -c 'echo "home=$HOME"'
	[ "$status" -eq 0 ]
	[ "$output" = "home=/" ]
}

@test "exec: a container that steals the process's channel cannot make brig exec kill a host process" {
	# the process brig exec starts holds its channel to brig exec until
	# execve; with CAP_SYS_PTRACE, chanrace takes it (pidfd_getfd) and
	# names a host pid as the process's
	cp "$(helper_bin chanrace -O2 -static)" "$BUNDLE/rootfs/bin/chanrace"
	setsid sleep 1000 </dev/null >/dev/null 2>&1 &
	local victim=$! i
	set_args /bin/chanrace /shared/report "$victim" 600 /shared/stop
	run_detached "$CID"
	wait_file "$SHARED/report"
	for i in $(seq 200); do
		brig exec "$CID" true </dev/null >/dev/null 2>>"$TESTDIR/exec.err" || true
		proc_alive "$victim" || break
	done
	touch "$SHARED/stop"
	echo "after $i execs: $(grep -c . "$TESTDIR/exec.err") failed: $(sort "$TESTDIR/exec.err" | uniq -c); $(tail -3 "$SHARED/report")" >&2
	local alive=0
	proc_alive "$victim" && alive=1
	kill -9 "$victim" 2>/dev/null || true
	[ "$alive" -eq 1 ]
	# and every exec worked
	[ ! -s "$TESTDIR/exec.err" ]
}

@test "created: a process in the container that drains exec.fifo cannot make start hang" {
	# A process with CAP_SYS_PTRACE can reach the init's fifo (as it could
	# ptrace the init itself) and so start the container early; start
	# then says so and returns, instead of waiting for ever (found by
	# the review of issue 17; runc 1.1.5 waits for ever too).
	set_args sh -c 'echo started >/shared/started; sleep 100'
	create_ctr "$CID"
	brig exec -d "$CID" sh -c 'for f in /proc/1/fd/*; do [ -p "$f" ] && exec cat "$f" >/shared/drained; done' \
		</dev/null >/dev/null 2>&1
	wait_file "$SHARED/started"
	run --separate-stderr timeout 10 "$BRIG" --root "$ROOT" start "$CID"
	echo "start: $status $stderr" >&2
	[ "$status" -eq 0 ]
	[[ $stderr == *"was started before start"* ]]
	[ "$(state_field "$CID" status)" = running ]
}

# joined_b [USERNS] — the config of a container B that joins container
# $CID's pid namespace (and user namespace with USERNS), running true
joined_b() {
	local apid
	apid=$(state_field "$CID" pid)
	set_args true
	update_config --arg p "/proc/$apid/ns/pid" --arg u "/proc/$apid/ns/user" --arg j "${1:-}" \
		'.linux.seccomp = null
		 | .linux.namespaces |= map(if .type == "pid" then .path = $p
					   elif .type == "user" and $j != "" then .path = $u else . end)'
}

# run_b N — brig run B N times; sets ok to the successful ones
run_b() {
	local i
	ok=0
	for i in $(seq "$1"); do
		brig run --bundle "$BUNDLE" "$CID-b" </dev/null >/dev/null 2>>"$TESTDIR/b.err" && ok=$((ok + 1))
		brig delete -f "$CID-b" >/dev/null 2>&1 || true
	done
	echo "B ran $ok/$1 ($(sort -u "$TESTDIR/b.err" | head -2))" >&2
}

@test "joined pid namespace: the init of a container joining it is not reachable there before its root" {
	# A pod sharing its process namespace, docker --pid=container:A: A
	# holds CAP_SYS_PTRACE and watches for B's init (from the review of
	# issue 17: it used to appear with the host's root and fds)
	set_args /bin/attacker watch /shared/report "$SECRET" 600 /shared/stop
	run_detached "$CID"
	wait_report READY
	joined_b
	run_b 15
	touch "$SHARED/stop"
	wait_report DONE
	[ "$ok" -eq 15 ]
	assert_held
	brig delete -f "$CID"
}

@test "joined user and pid namespaces: the init of a container joining them is not reachable nor ptrace-able there" {
	add_namespace user
	update_config '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	chown -R -h 100000:100000 "$BUNDLE/rootfs"
	cp "$(helper_bin ptwatch -static)" "$BUNDLE/rootfs/bin/ptwatch"
	set_args sh -c '/bin/attacker watch /shared/report "$1" 600 /shared/stop & /bin/ptwatch /shared/report 600 /shared/stop; wait' sh "$SECRET"
	run_detached "$CID"
	wait_report READY
	joined_b user
	run_b 15
	touch "$SHARED/stop"
	wait_report DONE
	[ "$ok" -eq 15 ]
	run grep PTRACE-STOPPED "$SHARED/report"
	[ "$status" -ne 0 ]
	assert_held
	brig delete -f "$CID"
}

# stubrace_setup — a hardened container (uid 1000, no capabilities: a
# Kubernetes runAsUser with drop ALL), a root host process as the victim,
# and tests/integration/stubrace.c run by a host user of uid 1000 that
# tries to ptrace brig's stub and forge the init's or the process's pid
stubrace_setup() {
	cp "$(helper_bin stubrace)" "$TESTDIR/stubrace"
	chmod 755 "$TESTDIR/stubrace"
	update_config '.process.user = {uid: 1000, gid: 1000} | .process.capabilities = {}'
	set_args sleep 100
	setsid sleep 1000 </dev/null >/dev/null 2>&1 &
	VICTIM=$!
	setpriv --reuid 1000 --regid 1000 --clear-groups \
		"$TESTDIR/stubrace" "$SHARED/report" "$VICTIM" 60 error &
	ATTACKER_PID=$!
	wait_report READY
}

stubrace_done() {
	echo "tries=$1 report: $(tr '\n' ' ' <"$SHARED/report")" >&2
	local alive=0
	proc_alive "$VICTIM" && alive=1
	kill "$VICTIM" "$ATTACKER_PID" 2>/dev/null || true
	[ "$alive" -eq 1 ]
	run grep -x -e ATTACHED -e FORGED "$SHARED/report"
	[ "$status" -ne 0 ]
}

@test "create: a host user of the container's uid cannot take over the stub (and make brig kill a host process)" {
	stubrace_setup
	local i
	for i in $(seq 30); do
		create_ctr "$CID" || true
		brig delete -f "$CID" >/dev/null 2>&1 || true
		grep -qx -e ATTACHED -e DONE "$SHARED/report" && break
	done
	stubrace_done "$i"
}

@test "exec: a host user of the container's uid cannot take over the stub (and make brig exec kill a host process)" {
	stubrace_setup
	run_detached "$CID"
	local i
	for i in $(seq 30); do
		brig exec "$CID" true </dev/null >/dev/null 2>>"$TESTDIR/exec.err" || true
		grep -qx -e ATTACHED -e DONE "$SHARED/report" && break
	done
	brig delete -f "$CID" >/dev/null 2>&1 || true
	stubrace_done "$i"
}

@test "run: a host user of the container's uid cannot take over the init before its execve (started at once, no stub)" {
	stubrace_setup
	set_args true
	local i
	for i in $(seq 30); do
		brig run --bundle "$BUNDLE" "$CID" </dev/null >/dev/null 2>>"$TESTDIR/run.err" || true
		brig delete -f "$CID" >/dev/null 2>&1 || true
		grep -qx -e ATTACHED -e DONE "$SHARED/report" && break
	done
	stubrace_done "$i"
}

@test "run: while the init sets up (brig, no stub), the container is creating, without exec.fifo, and exec refuses it (pause and start wait for run's lock)" {
	update_config --arg s "$SHARED" '.hooks.createContainer = [{path: "/bin/sh",
		args: ["sh", "-c", "echo hooked >\($s)/hooked; while [ ! -e \($s)/go ]; do sleep 0.05; done"]}]'
	set_args sh -c 'echo ran; cat /proc/1/comm; true'
	"$BRIG" --root "$ROOT" run --bundle "$BUNDLE" "$CID" </dev/null >"$TESTDIR/run.out" 2>"$TESTDIR/run.err" &
	local runner=$! rc=0
	wait_file "$SHARED/hooked"
	[ "$(brig state "$CID" | jq -r .status)" = creating ] || rc=1
	[ ! -e "$ROOT/$CID/exec.fifo" ] || rc=1
	! brig exec "$CID" true 2>"$TESTDIR/exec.err" || rc=1
	grep -q creating "$TESTDIR/exec.err" || rc=1
	touch "$SHARED/go"
	wait "$runner" || rc=1
	cat "$TESTDIR/run.out" "$TESTDIR/run.err" "$TESTDIR/exec.err" >&2
	[ "$rc" -eq 0 ]
	[ "$(head -1 "$TESTDIR/run.out")" = ran ]
	[ "$(sed -n 2p "$TESTDIR/run.out")" = sh ]
	assert_held
}

@test "user namespace: a caller whose bounding set lacks a capability does not hand it to the container (run at once, and create+start)" {
	# (found by the review of the bounding set's cache, caps.c: the set
	# read before the clone is the host's; a new user namespace starts
	# with a full one, and what the host's lacked was never dropped)
	add_namespace user
	update_config '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .process.noNewPrivileges = false
		| .process.capabilities = {bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]}'
	chown -R -h 100000:100000 "$BUNDLE/rootfs"
	set_args grep -E '^Cap(Prm|Eff|Bnd):' /proc/self/status
	run --separate-stderr capsh --drop=cap_net_admin,cap_sys_ptrace -- -c \
		'exec "$0" --root "$1" run --bundle "$2" "$3" </dev/null' "$BRIG" "$ROOT" "$BUNDLE" "$CID"
	echo "$output $stderr" >&2
	[ "$status" -eq 0 ]
	# CAP_KILL (bit 5) and nothing else, in every set
	[ "$(grep -c -E ':\s+0+20$' <<<"$output")" -eq 3 ]
	capsh --drop=cap_net_admin,cap_sys_ptrace -- -c \
		'exec "$0" --root "$1" create --bundle "$2" "$3" </dev/null >"$4" 2>&1' \
		"$BRIG" "$ROOT" "$BUNDLE" "$CID-2" "$TESTDIR/c2.out"
	brig start "$CID-2"
	wait_status "$CID-2" stopped
	brig delete "$CID-2"
	cat "$TESTDIR/c2.out" >&2
	[ "$(grep -c -E ':\s+0+20$' "$TESTDIR/c2.out")" -eq 3 ]
}

@test "joined pid namespace with a new user namespace: refused where the pid namespace has none of its own (its processes would reach the init at birth)" {
	# (from the review of issue 20's last changes: B's init, born in A's
	# pid namespace, had the host's root and descriptors, and A, with
	# CAP_SYS_PTRACE in the host's user namespace, took them)
	set_args /bin/attacker watch /shared/report "$SECRET" 600 /shared/stop
	run_detached "$CID"
	wait_report READY
	joined_b
	add_namespace user
	update_config '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID-b"
	echo "$stderr" >&2
	[ "$status" -ne 0 ]
	assert_error_line
	[[ $stderr == *"join its user namespace too"* ]]
	! brig state "$CID-b" 2>/dev/null || false
	run_b 5
	[ "$ok" -eq 0 ]
	touch "$SHARED/stop"
	wait_report DONE
	assert_held
	brig delete -f "$CID"
}

@test "joined pid namespace: a neighbour cannot give the container its own tmpfs as /proc" {
	# A (CAP_SYS_ADMIN) replaces its /proc with a tmpfs whose 1/ns/pid is
	# a symlink to /proc/self/fd/N, N tried from 3 to 12: a check that
	# followed symlinks from the tree went through the host's /proc to
	# the init's own descriptor of A's pid namespace (second review)
	update_config '.process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"]) | .linux.seccomp = null'
	set_args sh -c 'mount -t tmpfs fake /proc && mkdir -p /proc/1/ns /proc/sys/kernel &&
		echo A-OWNS-THIS >/proc/planted && echo ready >/shared/a; exec sleep 1000'
	run_detached "$CID"
	wait_file "$SHARED/a"
	local apid n ran=0
	apid=$(state_field "$CID" pid)
	set_args sh -c 'cat /proc/planted >/shared/b; echo B-WROTE >/proc/planted-by-b'
	update_config --arg p "/proc/$apid/ns/pid" '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)'
	for n in $(seq 3 12); do
		ln -sfn "/proc/self/fd/$n" "/proc/$apid/root/proc/1/ns/pid"
		brig run --bundle "$BUNDLE" "$CID-b" </dev/null >/dev/null 2>>"$TESTDIR/b.err" && ran=$((ran + 1))
		brig delete -f "$CID-b" >/dev/null 2>&1 || true
	done
	echo "ran $ran; B saw: $(cat "$SHARED/b" 2>/dev/null); errors: $(sort -u "$TESTDIR/b.err" | head -2)" >&2
	local planted=0
	[ -e "/proc/$apid/root/proc/planted-by-b" ] && planted=1
	brig delete -f "$CID"
	[ "$planted" -eq 0 ]
	[ "$ran" -eq 0 ]
	grep -q "is not a procfs of its own" "$TESTDIR/b.err"
}

@test "a missing process.cwd behind the image's symlinks is made inside the root, never on the host" {
	# a hostile image: the cwd's first component a link out of the root,
	# by a magic link, by "..", absolute and dangling
	local r=$BUNDLE/rootfs w
	ln -s "/proc/self/root$TESTDIR/esc-magic" "$r/w1"
	ln -s "../../../../../../..$TESTDIR/esc-dotdot" "$r/w2"
	ln -s "$TESTDIR/esc-abs" "$r/w3"
	ln -s /proc/1/cwd "$r/w4"
	ln -s "/proc/self/fd/3/esc-fd" "$r/w5"
	set_args sh -c 'pwd'
	for w in w1 w2 w3 w4 w5; do
		update_config --arg c "/$w/sub" '.process.cwd = $c'
		brig run --bundle "$BUNDLE" "$CID-$w" </dev/null >>"$TESTDIR/cwd.out" 2>>"$TESTDIR/cwd.err" || true
		brig delete -f "$CID-$w" >/dev/null 2>&1 || true
	done
	echo "out: $(tr '\n' ' ' <"$TESTDIR/cwd.out") err: $(tr '\n' ' ' <"$TESTDIR/cwd.err")" >&2
	# nothing made on the host; the dangling ones made inside the root
	# (runc refuses them: "mkdir /w2: file exists")
	[ -z "$(ls -d "$TESTDIR"/esc-* 2>/dev/null)" ]
	"$BRIG" --version | grep -q "^runc" || [ -d "$r$TESTDIR/esc-dotdot/sub" ]
	"$BRIG" --version | grep -q "^runc" || [ -d "$r$TESTDIR/esc-abs/sub" ]
	[ -z "$(find /proc/1/cwd/ -maxdepth 1 -name sub -newer "$BUNDLE/config.json" 2>/dev/null)" ]
}

@test "joined pid namespace: a neighbour's /proc of a nested pid namespace, live or dead, is refused" {
	# A (CAP_SYS_ADMIN) mounts on its /proc the procfs of a pid namespace
	# of its own making; the "dead" one has lost its pid 1, so that the
	# check falls back to the joined process's own number (issue 18),
	# and B names A's second process, not its pid 1
	update_config '.process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"]) | .linux.seccomp = null'
	local kind apid child ran
	for kind in live dead; do
		if [ $kind = live ]; then
			set_args sh -c 'unshare -p -f sh -c "mount -t proc proc /proc; echo ready >/shared/a; exec sleep 1000" & sleep 1000'
		else
			set_args sh -c 'unshare -p -f sh -c "mount -t proc proc /proc"; echo ready >/shared/a; sleep 1000 & sleep 1000'
		fi
		rm -f "$SHARED/a" "$SHARED/b"
		run_detached "$CID-$kind"
		wait_file "$SHARED/a"
		apid=$(state_field "$CID-$kind" pid)
		child=$(pgrep -P "$apid" | head -1)
		cp "$BUNDLE/config.json" "$TESTDIR/a.json"
		set_args sh -c 'ls /proc >/shared/b'
		update_config --arg p "/proc/$child/ns/pid" '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)'
		ran=0
		brig run --bundle "$BUNDLE" "$CID-b" </dev/null >/dev/null 2>>"$TESTDIR/b.err" && ran=1
		brig delete -f "$CID-b" >/dev/null 2>&1 || true
		brig delete -f "$CID-$kind" >/dev/null 2>&1 || true
		cp "$TESTDIR/a.json" "$BUNDLE/config.json"
		echo "$kind: A $apid, named $child, ran $ran, B saw $(tr '\n' ' ' <"$SHARED/b" 2>/dev/null); $(tail -1 "$TESTDIR/b.err")" >&2
		# runc mounts a procfs of its own there: B runs, safely
		"$BRIG" --version | grep -q "^runc" || [ "$ran" -eq 0 ]
	done
}

@test "exec: a process killed during set-up is reaped once and never signalled after (no kill of a reused pid)" {
	# the container kills exec's process before it reports ready: brig
	# exec reaps it (to say how it died), and must not send SIGKILL to
	# that pid afterwards: by then the number may be another process's
	set_args sleep 100
	run_detached "$CID"
	BRIG_FAULT=exec-process:stop strace -qq -e trace=kill,wait4,waitid -o "$TESTDIR/trace" \
		"$BRIG" --root "$ROOT" exec "$CID" true </dev/null >/dev/null 2>"$TESTDIR/exec.err" &
	local execpid=$! pid= i
	for i in $(seq 200); do
		# strace -> brig exec -> the process (stopped)
		pid=$(for p in $(pgrep -P "$execpid"); do ps -o pid=,stat= --ppid "$p"; done |
			awk '$2 ~ /^T/ { print $1 }' | head -1)
		[ -n "$pid" ] && break
		sleep 0.05
	done
	echo "process $pid" >&2
	[ -n "$pid" ]
	kill -9 "$pid"
	wait "$execpid" || true
	cat "$TESTDIR/exec.err" "$TESTDIR/trace" >&2
	# reaped by brig exec...
	grep -Eq "^(wait4\($pid,.*= $pid|waitid\(P_PID, $pid,.*= 0)" "$TESTDIR/trace"
	# ...and not signalled after it was reaped
	! awk -v p="$pid" '
		$0 ~ "^wait4\\(" p "," && $0 ~ "= " p "$" { reaped = 1 }
		reaped && $0 ~ "^kill\\(" p "," { print; bad = 1 }
		END { exit !bad }' "$TESTDIR/trace"
}

@test "joined mount namespace: the container whose namespace is joined cannot choose the joiner's v1 cgroups" {
	[ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ] || skip "needs a v1 or hybrid host"
	# A: a container with a /sys/fs/cgroup of its own making (with
	# CAP_SYS_ADMIN it can mount one; here its config gives it a tmpfs)
	update_config '.root.readonly = false | .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
	add_mount '{"destination": "/sys/fs/cgroup", "type": "tmpfs", "source": "tmpfs", "options": ["rw"]}'
	# (in the host's pid namespace: its /proc then shows B's init too)
	remove_namespace pid
	set_args sleep 1000
	run_detached "$CID"
	local apid h name b=$TESTDIR/bundle-b
	apid=$(state_field "$CID" pid)
	# A plants, where B's v1 cgroups would be in its mount namespace,
	# directories of its own with "tasks" files
	for h in /sys/fs/cgroup/*; do
		name=$(basename "$h")
		[ -d "$h" ] && [ ! -L "$h" ] && [ "$name" != unified ] || continue
		mkdir -p "/proc/$apid/root/sys/fs/cgroup/$name/$CID-b"
		touch "/proc/$apid/root/sys/fs/cgroup/$name/$CID-b/tasks" \
			"/proc/$apid/root/sys/fs/cgroup/$name/$CID-b/cgroup.procs"
	done
	# B joins A's mount namespace, with a cgroup of its own (and a root
	# named the same on the host and there)
	mkdir "$b"
	mkdir -p "/proc/$apid/root$BUNDLE/rootfs"
	cp -a "$(rootfs_cache)/." "/proc/$apid/root$BUNDLE/rootfs/"
	jq --arg r "$BUNDLE/rootfs" --arg ns "/proc/$apid/ns/mnt" --arg cg "/$CID-b" \
		'.root.path = $r | .linux.cgroupsPath = $cg | .mounts |= map(select(.destination != "/shared")) |
		 .linux.namespaces = [.linux.namespaces[] | select(.type != "mount")] +
		 [{type: "mount", path: $ns}]' "$BUNDLE/config.json" >"$b/config.json"
	brig create --bundle "$b" "$CID-b" </dev/null >"$TESTDIR/b.out" 2>"$TESTDIR/b.err" ||
		{ cat "$TESTDIR/b.err" >&2; false; }
	local bpid
	bpid=$(state_field "$CID-b" pid)
	cat "/proc/$bpid/cgroup" >&2
	# B's init is in B's cgroups, every v1 hierarchy of them
	for name in pids devices cpu; do
		[ -d "/sys/fs/cgroup/$name" ] || continue
		grep -E "^[0-9]+:([^:]*,)?$name(,[^:]*)?:/$CID-b\$" "/proc/$bpid/cgroup"
	done
}
