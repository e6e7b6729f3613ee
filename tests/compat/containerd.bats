#!/usr/bin/env bats
# containerd (Debian's containerd, its ctr client and the
# io.containerd.runc.v2 shim) driving brig as the OCI runtime.
#
# A private containerd (its own config, root, state and socket; no CRI
# plugin; the native snapshotter) gets a local OCI image archive packed by
# tests/compat/mkoci from the busybox test rootfs; every container runs
# with `--runc-binary` = the runtime under test, `--runc-root` under the
# private directory and a cgroup under a parent named after it.
#
#   COMPAT_RUNTIME=runc bats tests/compat/containerd.bats    the same with runc
#   COMPAT_CGROUP=systemd bats ...   the shim runs the runtime with
#                                    --systemd-cgroup (ctr's
#                                    --runc-systemd-cgroup), each container
#                                    in system.slice:brigctr:<id>, as
#                                    tests/vm-systemd runs it
#
# Everything is stopped, unmounted and removed by teardown_file, even
# when a test fails.

load ../integration/helpers
load compat

CTR=/usr/bin/ctr
NS=brigtest
IMG=docker.io/brigcompat/busybox:latest

runtime_path() {
	case ${COMPAT_RUNTIME:-brig} in
	brig) echo "$BRIG" ;;
	*) command -v "$COMPAT_RUNTIME" ;;
	esac
}

c() { timeout -k 5 60 "$CTR" -a "$CD/containerd.sock" -n "$NS" "$@" </dev/null; }

# cr [ctr run options] ID ARGS... — ctr run with the runtime under test.
cr() {
	local id opts=()
	while [[ $1 == -* ]]; do
		opts+=("$1")
		shift
	done
	id=$1
	shift
	if [ "${COMPAT_CGROUP:-}" = systemd ]; then
		opts+=(--runc-systemd-cgroup --cgroup "system.slice:brigctr:$id")
	else
		opts+=(--cgroup "/$CG/$id")
	fi
	c run --snapshotter native --runc-binary "$RT" --runc-root "$CD/runc" \
		--fifo-dir "$CD/fifo" "${opts[@]}" "$IMG" "$id" "$@"
}

# task_status ID — RUNNING, PAUSED, STOPPED ... as `ctr task ls` shows it.
task_status() { c task ls | awk -v id="$1" '$1 == id { print $3 }'; }

# wait_status ID STATUS — up to 10 s.
wait_status() {
	local i
	for i in $(seq 100); do
		[ "$(task_status "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "task $1: $(task_status "$1"), not $2" >&2
	return 1
}

# the container's root filesystem as the host sees it
rootfs_of() { echo "$CD/state/io.containerd.runtime.v2.task/$NS/$1/rootfs"; }

# remove_all — every task and container of the namespace.
remove_all() {
	local id
	for id in $(c containers ls -q 2>/dev/null); do
		c task resume "$id" >/dev/null 2>&1
		c task kill -s SIGKILL "$id" >/dev/null 2>&1
		c task delete -f "$id" >/dev/null 2>&1
		c containers delete "$id" >/dev/null 2>&1
	done
}

setup_file() {
	[ -x /usr/bin/containerd ] && [ -x "$CTR" ] && [ -x /usr/bin/containerd-shim-runc-v2 ] ||
		skip "containerd is not installed (scripts/deps compat)"
	CD=$(mktemp -d /tmp/brig-ctrd.XXXXXX)
	CG=$(basename "$CD")
	RT=$(runtime_path)
	export CD CG RT
	mkdir -p "$CD/fifo"
	cat >"$CD/config.toml" <<-EOF
		version = 2
		root = "$CD/root"
		state = "$CD/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",
		  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.tracing.processor.v1.otlp"]
		[grpc]
		  address = "$CD/containerd.sock"
		[ttrpc]
		  address = "$CD/containerd.sock.ttrpc"
	EOF
	/usr/bin/containerd --config "$CD/config.toml" --log-level warn >"$CD/containerd.log" 2>&1 &
	echo $! >"$CD/containerd.pid"
	local i
	for i in $(seq 150); do
		c version >/dev/null 2>&1 && break
		sleep 0.1
	done
	c version >/dev/null || { cat "$CD/containerd.log" >&3; return 1; }
	"$BATS_TEST_DIRNAME/mkoci" "$(rootfs_cache)" "$CD/busybox.tar" "$IMG"
	c images import --snapshotter native "$CD/busybox.tar" >/dev/null
}

teardown() {
	[ -n "${CD:-}" ] && [ -S "$CD/containerd.sock" ] && remove_all
	return 0
}

teardown_file() {
	[ -n "${CD:-}" ] || return 0
	local pid m i
	[ -S "$CD/containerd.sock" ] && remove_all
	# whatever is still in the containers' cgroups (thawed first)
	for m in $(find /sys/fs/cgroup/freezer -mindepth 1 -maxdepth 3 -type d -path "*/$CG/*" 2>/dev/null); do
		echo THAWED >"$m/freezer.state" 2>/dev/null
	done
	for m in $(find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -name cgroup.procs -path "*/$CG/*" 2>/dev/null); do
		xargs -r kill -KILL <"$m" 2>/dev/null
	done
	compat_stop "$(cat "$CD/containerd.pid" 2>/dev/null)"
	# shims left behind (their command line names the private socket),
	# mounts, the cgroups
	compat_cleanup "$CD"
}

@test "ctr images import: the OCI archive packed from busybox-static" {
	run c images ls
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == "$IMG "*"linux/amd64"* ]]
	# unpacked for the native snapshotter: one committed layer
	run c snapshots --snapshotter native ls
	echo "$output"
	[[ $output == *Committed* ]]
}

@test "ctr run --rm: echo hi, and nothing left" {
	run cr --rm hello echo hi
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	run c containers ls -q
	[ -z "$output" ]
	# the runtime's state and the container's cgroup are gone
	[ -z "$(ls -A "$CD/runc/$NS" 2>/dev/null)" ]
	[ ! -e "/sys/fs/cgroup/pids/$CG/hello" ]
}

@test "ctr run --rm: exit code, env, cwd, what the container sees" {
	run cr --rm --env=FOO=bar --cwd=/tmp codes sh -c \
		'echo $FOO; pwd; id -u; echo $$; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || echo none; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = bar ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" = 1 ]
}

@test "ctr run -d, task ls RUNNING, the runtime under test holds it, task exec" {
	cr -d daemon sh -c 'while :; do sleep 0.1; done'
	wait_status daemon RUNNING
	# the shim called the runtime under test: it knows the container, in
	# its --runc-root, with the pid containerd reports
	run timeout 10 "$RT" --root "$CD/runc/$NS" state daemon
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status <<<"$output")" = running ]
	[ "$(jq -r .pid <<<"$output")" = "$(c task ls | awk '$1 == "daemon" { print $2 }')" ]
	run c task exec --fifo-dir "$CD/fifo" --exec-id x1 daemon sh -c \
		'tr "\0" " " </proc/1/cmdline; echo; echo $$; exit 4'
	echo "$output"
	[ "$status" -eq 4 ]
	[ "${lines[0]}" = "sh -c while :; do sleep 0.1; done " ]
	[ "${lines[1]}" -gt 1 ]
	run c task exec --fifo-dir "$CD/fifo" --exec-id x2 --cwd /tmp --user 1000 daemon sh -c 'pwd; id -u'
	echo "$output"
	[ "$output" = "$(printf '/tmp\n1000')" ]
	# task ps asks the runtime (ps --format json): the init is listed
	local pid=$(c task ls | awk '$1 == "daemon" { print $2 }')
	run c task ps daemon
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(awk -v p="$pid" '$1 == p' <<<"$output")" != "" ]
}

@test "ctr task pause: PAUSED and really frozen; resume: RUNNING again" {
	cr -d frozen sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/c.new; mv /tmp/c.new /tmp/count; sleep 0.05; done'
	wait_status frozen RUNNING
	local count=$(rootfs_of frozen)/tmp/count a b
	sleep 0.3
	run c task pause frozen
	[ "$status" -eq 0 ]
	wait_status frozen PAUSED
	[ "$(cat "/sys/fs/cgroup/freezer/$CG/frozen/freezer.state")" = FROZEN ]
	a=$(cat "$count")
	sleep 0.5
	b=$(cat "$count")
	[ "$a" = "$b" ]
	run c task resume frozen
	[ "$status" -eq 0 ]
	wait_status frozen RUNNING
	[ "$(cat "/sys/fs/cgroup/freezer/$CG/frozen/freezer.state")" = THAWED ]
	sleep 0.5
	b=$(cat "$count")
	[ "$b" -gt "$a" ]
}

@test "ctr task metrics: memory and pids figures from the container's cgroups" {
	cr -d --memory-limit=67108864 metered sh -c 'sleep 1000 & sleep 1000 & wait'
	wait_status metered RUNNING
	run c task metrics metered
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(awk '$1 == "memory.limit_in_bytes" { print $2 }' <<<"$output")" = 67108864 ]
	[ "$(awk '$1 == "memory.usage_in_bytes" { print $2 }' <<<"$output")" -gt 0 ]
	# sh and its two sleeps
	[ "$(awk '$1 == "pids.current" { print $2 }' <<<"$output")" -eq 3 ]
}

@test "ctr task kill (SIGTERM, -s SIGKILL), task delete, container delete" {
	# pid 1 only sees a signal it handles: SIGTERM runs the trap
	cr -d termed sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done'
	cr -d killed sh -c 'while :; do sleep 0.1; done'
	wait_status termed RUNNING
	wait_status killed RUNNING
	run c task kill termed
	[ "$status" -eq 0 ]
	wait_status termed STOPPED
	run c task kill -s SIGKILL killed
	[ "$status" -eq 0 ]
	wait_status killed STOPPED
	# ctr task delete reports the task's exit status
	run c task delete termed
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"exit code 7"* ]]
	run c task delete killed
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"exit code 137"* ]]
	[ -z "$(task_status termed)" ]
	# the runtime's state is gone with the task, the container record stays
	run timeout 10 "$RT" --root "$CD/runc/$NS" state termed
	[ "$status" -ne 0 ]
	[[ $(c containers ls -q) == *termed* ]]
	run c containers delete termed killed
	[ "$status" -eq 0 ]
	[ -z "$(c containers ls -q)" ]
	[ ! -e "/sys/fs/cgroup/pids/$CG/termed" ]
}

@test "ctr run: --read-only, --cap-drop, --memory-limit as the container sees them" {
	cr -d --read-only --cap-drop=CAP_NET_RAW --memory-limit=67108864 limits \
		sh -c 'touch /x 2>/dev/null && echo WROTE >/dev/console; while :; do sleep 0.1; done'
	wait_status limits RUNNING
	[ "$(cat "/sys/fs/cgroup/memory/$CG/limits/memory.limit_in_bytes")" = 67108864 ]
	run c task exec --fifo-dir "$CD/fifo" --exec-id look limits sh -c '
		grep ":memory:" /proc/1/cgroup; grep ^CapBnd: /proc/1/status
		touch /x 2>/dev/null && echo WROTE; grep " / " /proc/self/mountinfo'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(grep :memory: /proc/$(c task ls | awk '$1 == "limits" { print $2 }')/cgroup)" ]
	[[ ${lines[0]} == *":/$CG/limits" ]]
	# CAP_NET_RAW is bit 13
	local bnd=${lines[1]##*[[:space:]]}
	[ $((0x$bnd & (1 << 13))) -eq 0 ]
	[[ $output != *WROTE* ]]
	[[ ${lines[2]} == *" / ro,"* ]]
}

@test "ctr run -t and task exec -t: a terminal" {
	local ctr="$CTR -a $CD/containerd.sock -n $NS"
	# (the sleeps: a pty's last output can be lost when the process exits
	# at once, with runc too)
	run timeout 60 script -qec "$ctr run -t --rm --snapshotter native --runc-binary $RT \
		--runc-root $CD/runc --fifo-dir $CD/fifo --cgroup /$CG/tty1 $IMG tty1 sh -c 'tty; sleep 0.3; exit 5'" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 5 ]
	[[ $output =~ /dev/pts/[0-9]+ ]]
	cr -d ttyd sh -c 'while :; do sleep 0.1; done'
	wait_status ttyd RUNNING
	run timeout 60 script -qec "$ctr task exec -t --fifo-dir $CD/fifo --exec-id t1 ttyd sh -c 'tty; sleep 0.3; exit 6'" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 6 ]
	[[ $output =~ /dev/pts/[0-9]+ ]]
}

@test "ctr task kill --exec-id and --all" {
	cr -d many sh -c 'sleep 1000 & while :; do sleep 0.1; done'
	wait_status many RUNNING
	c task exec --fifo-dir "$CD/fifo" --exec-id long many sleep 2000 &
	local i
	for i in $(seq 50); do
		c task exec --fifo-dir "$CD/fifo" --exec-id "wait$i" many \
			sh -c 'ps -o args | grep -q "^sleep 2000"' && break
		sleep 0.1
	done
	run c task kill -s SIGKILL --exec-id long many
	[ "$status" -eq 0 ]
	wait
	# the exec is gone, pid 1 and its sleep stay
	run c task exec --fifo-dir "$CD/fifo" --exec-id look many sh -c 'ps -o args | grep -c "^sleep 2000"; ps -o args | grep -c "^sleep 1000"'
	echo "$output"
	[ "$output" = "$(printf '0\n1')" ]
	run c task kill -a -s SIGKILL many
	[ "$status" -eq 0 ]
	wait_status many STOPPED
	for i in $(seq 50); do
		[ -z "$(cat "/sys/fs/cgroup/pids/$CG/many/cgroup.procs")" ] && break
		sleep 0.1
	done
	[ -z "$(cat "/sys/fs/cgroup/pids/$CG/many/cgroup.procs")" ]
}

@test "ctr task kill and task delete -f on a stopped task" {
	cr -d gone sh -c 'while :; do sleep 0.1; done'
	wait_status gone RUNNING
	c task kill -s SIGKILL gone
	wait_status gone STOPPED
	# the shim maps the runtime's "container not running" to not found
	run c task kill gone
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"not found"* ]]
	# delete -f sends SIGKILL to all (kill --all), which must not fail
	run c task delete -f gone
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$(task_status gone)" ]
}

@test "ctr run --seccomp (containerd's default profile) and --privileged" {
	# without seccomp, a new user namespace needs no capability
	run cr --rm nosc sh -c 'grep ^Seccomp: /proc/self/status; unshare -U true 2>&1 && echo unshared'
	echo "$output"
	[ "${lines[0]}" = "Seccomp:	0" ]
	[ "${lines[1]}" = unshared ]
	# the default profile allows unshare only with CAP_SYS_ADMIN
	run cr --rm --seccomp sc sh -c 'grep ^Seccomp: /proc/self/status; unshare -U true 2>&1 && echo unshared'
	echo "$output"
	[ "${lines[0]}" = "Seccomp:	2" ]
	[[ $output == *"Operation not permitted"* ]]
	[[ $output != *unshared* ]]
	run cr --rm --privileged pv sh -c 'grep ^CapEff: /proc/self/status; grep " /sys " /proc/self/mountinfo; test -e /dev/kmsg && echo kmsg'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "CapEff:	$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)" ]
	[[ ${lines[1]} == *" /sys rw,"* ]]
	[ "${lines[2]}" = kmsg ]
}

# ---- checkpoint and restore (CRIU: skipped where it cannot run, as on a
# host whose vDSO it refuses; tests/vm-systemd runs them)

# ck_task ID — a detached counting task (compat.bash: COMPAT_COUNTER)
# appending to $CD/ck-ID/n, in a bind mount (its stdout would go to a ctr
# that is gone), the file opened for each line: CRIU refuses to restore a
# file kept open that has grown since the dump.
ck_task() {
	mkdir -p "$CD/ck-$1"
	cr -d "--mount=type=bind,src=$CD/ck-$1,dst=/data,options=rbind:rw" "$1" \
		sh -c "${COMPAT_COUNTER/echo \$i/echo \$i >>/data/n}" >/dev/null
}

# ck_last ID — the last number it wrote.
ck_last() { tail -n 1 "$CD/ck-$1/n" 2>/dev/null; }

# ck_in_scope ID — under the systemd driver its init is in
# brigctr-ID.scope, which systemd has active.
ck_in_scope() {
	[ "${COMPAT_CGROUP:-}" = systemd ] || return 0
	local pid cg
	pid=$(c task ls | awk -v id="$1" '$1 == id { print $2 }')
	cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	[ "${cg##*/}" = "brigctr-$1.scope" ] || { echo "$1: pid $pid in $cg, not brigctr-$1.scope"; return 1; }
	systemctl is-active --quiet "brigctr-$1.scope" || { echo "brigctr-$1.scope is not active"; return 1; }
}

@test "ctr task checkpoint: into the content store, then --exit --image-path" {
	compat_criu_or_skip
	ck_task ckt
	ck_wait_past ckt 3
	# containerd pauses the task, has the runtime dump it leaving it
	# running, resumes it
	run c task checkpoint ckt
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == containerd.io/checkpoint/ckt:* ]]
	c images ls -q | grep -qx "$output"
	[ "$(task_status ckt)" = RUNNING ]
	ck_wait_past ckt "$(ck_last ckt)"
	# --exit, the images where the caller says (into the store again
	# fails in containerd 1.6, with runc as with brig: "content
	# sha256:...: already exists")
	run c task checkpoint --exit --image-path "$CD/ckt-img" --work-path "$CD/ckt-work" ckt
	echo "$output"
	[ "$status" -eq 0 ]
	[ -s "$CD/ckt-img/inventory.img" ]
	wait_status ckt STOPPED
	compat_consecutive <"$CD/ck-ckt/n"
}

@test "ctr containers checkpoint --task, then restore --live: the count goes on, in its scope" {
	compat_criu_or_skip
	ck_task ckr
	ck_wait_past ckr 3
	run c containers checkpoint --task ckr brigtest/ckr:1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(task_status ckr)" = RUNNING ]
	c task kill -s SIGKILL ckr
	wait_status ckr STOPPED
	c task delete ckr >/dev/null
	c containers delete ckr
	local n at
	n=$(wc -l <"$CD/ck-ckr/n")
	at=$(ck_last ckr)
	run c containers restore --live ckr brigtest/ckr:1
	echo "$output"
	[ "$status" -eq 0 ]
	wait_status ckr RUNNING
	ck_wait_past ckr $((at + 2))
	# what it wrote since: on from the checkpoint's count (at most what it
	# had written when killed), not from 1
	tail -n +$((n + 1)) "$CD/ck-ckr/n" | compat_consecutive
	local first
	first=$(sed -n "$((n + 1))p" "$CD/ck-ckr/n")
	[ "$first" -gt 1 ] && [ "$first" -le $((at + 1)) ]
	ck_in_scope ckr
}
