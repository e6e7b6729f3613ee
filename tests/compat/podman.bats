#!/usr/bin/env bats
# Podman (Debian's podman 4.3) driving brig as its OCI runtime:
# `podman --runtime <brig> run ...`, with conmon in between, as a user
# would run it.
#
# Podman runs fully private: its own storage root, run root and tmp dir
# (vfs storage), its own containers.conf / storage.conf / registries.conf
# (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF, CONTAINERS_REGISTRIES_CONF),
# cgroupfs under a cgroup parent named after the test's temp dir, the
# file events backend, no network. The image is a local one imported from
# the busybox test rootfs. Nothing goes to /var/lib/containers.
#
# containers.conf sets default_ulimits to nofile=1024:1024 and
# nproc=1024:1024: Podman's own defaults (nproc=4194304) are refused by
# this host's kernel limits.
#
#   COMPAT_RUNTIME=runc bats tests/compat/podman.bats    the same with runc
#   COMPAT_CGROUP=systemd bats ...   Podman's default cgroup manager
#                                    (systemd) and parent, as
#                                    tests/vm-systemd runs it
#
# Podman calls the runtime without --root, so brig keeps its state in its
# default root (/run/brig); the rm test checks it no longer lists the
# container. Everything is stopped, deleted, unmounted and removed by
# teardown_file, even when a test fails.

load ../integration/helpers
load compat

PODMAN=/usr/bin/podman

runtime_path() {
	case ${COMPAT_RUNTIME:-brig} in
	brig) echo "$BRIG" ;;
	*) command -v "$COMPAT_RUNTIME" ;;
	esac
}

# pcmd — the private podman's command line with the runtime under test,
# as one string (for `script -c`; no path here has a space).
pcmd() {
	echo "$PODMAN --root $PD/root --runroot $PD/runroot --tmpdir $PD/tmp" \
		"--storage-driver vfs $CGM --events-backend file" \
		"--runtime $RT"
}

# p ARGS... — run it.
# shellcheck disable=SC2046
p() { timeout -k 5 120 $(pcmd) "$@"; }

# prun ARGS... — `podman run` in the private cgroup parent, no network.
# shellcheck disable=SC2086
prun() { p run $CGPARENT --network none "$@"; }

IMAGE=localhost/brigcompat:busybox

setup_file() {
	[ -x "$PODMAN" ] || skip "podman is not installed (scripts/deps compat)"
	PD=$(mktemp -d /tmp/brig-podman.XXXXXX)
	RT=$(runtime_path)
	CGP=/$(basename "$PD")
	# cgroupfs under CGP, or Podman's defaults (COMPAT_CGROUP=systemd)
	CGM="--cgroup-manager cgroupfs" CGPARENT="--cgroup-parent $CGP" CGCONF='cgroup_manager = "cgroupfs"'
	if [ "${COMPAT_CGROUP:-}" = systemd ]; then
		CGP= CGM= CGPARENT= CGCONF=
	fi
	# Podman's lock file is not configurable: remove it at the end
	# unless it was there before.
	PD_SHM_LOCK_NEW=1
	[ -e /dev/shm/libpod_lock ] && PD_SHM_LOCK_NEW=0
	export PD RT CGP CGM CGPARENT PD_SHM_LOCK_NEW
	export CONTAINERS_CONF=$PD/containers.conf
	export CONTAINERS_STORAGE_CONF=$PD/storage.conf
	export CONTAINERS_REGISTRIES_CONF=$PD/registries.conf
	cat >"$CONTAINERS_CONF" <<-EOF
		[containers]
		default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
		netns = "none"
		log_driver = "k8s-file"
		[engine]
		$CGCONF
		events_logger = "file"
		events_logfile_path = "$PD/events.log"
		tmp_dir = "$PD/tmp"
		image_copy_tmp_dir = "$PD/tmp"
		# podman passes --log FILE --log-format json to these
		runtime_supports_json = ["brig", "runc", "crun"]
		[network]
		network_config_dir = "$PD/net"
	EOF
	cat >"$CONTAINERS_STORAGE_CONF" <<-EOF
		[storage]
		driver = "vfs"
		graphroot = "$PD/root"
		runroot = "$PD/runroot"
	EOF
	echo 'unqualified-search-registries = []' >"$CONTAINERS_REGISTRIES_CONF"
	# a profile that allows everything but mkdir, which fails with EPERM
	cat >"$PD/seccomp.json" <<-'EOF'
		{
			"defaultAction": "SCMP_ACT_ALLOW",
			"syscalls": [
				{ "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 }
			]
		}
	EOF
	# containers/image keeps root's blob-info cache in /var/lib/containers
	# whatever the storage root: import in a mount namespace where /var/lib
	# is an empty directory of ours, so the host's is never touched.
	mkdir "$PD/varlib"
	tar -C "$(rootfs_cache)" -cf "$PD/rootfs.tar" .
	unshare -m --propagation private sh -c 'mount --bind "$1/varlib" /var/lib && shift && exec "$@"' \
		sh "$PD" timeout -k 5 120 "$PODMAN" --root "$PD/root" --runroot "$PD/runroot" \
		--tmpdir "$PD/tmp" --storage-driver vfs $CGM \
		--events-backend file import "$PD/rootfs.tar" "$IMAGE" >/dev/null
	rm -f "$PD/rootfs.tar"
}

teardown_file() {
	[ -n "${PD:-}" ] || return 0
	local id pid m i
	if [ -x "$PODMAN" ]; then
		for id in $(p ps -aq --no-trunc 2>/dev/null); do
			p rm -f -t 0 "$id" >/dev/null 2>&1
			# whatever podman could not delete in the runtime
			timeout 30 "$RT" delete --force "$id" >/dev/null 2>&1
		done
	fi
	# conmon and podman's cleanup processes of this run (all name $PD)
	for i in $(seq 50); do
		pgrep -f -- "$PD/" >/dev/null || break
		sleep 0.2
	done
	[ "${PD_SHM_LOCK_NEW:-0}" = 1 ] && rm -f /dev/shm/libpod_lock
	compat_cleanup "$PD"
}

@test "podman run --rm: echo hi" {
	run prun --rm "$IMAGE" echo hi
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
}

@test "podman run: exit code, -e, -w, --user, --hostname, default ulimits" {
	run prun --rm -e FOO=bar -w /tmp --user 1000:1000 --hostname podhost "$IMAGE" \
		sh -c 'echo $FOO; pwd; id -u; id -g; hostname; ulimit -n; ulimit -u; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = bar ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1000 ]
	[ "${lines[4]}" = podhost ]
	[ "${lines[5]}" = 1024 ]
	[ "${lines[6]}" = 1024 ]
}

@test "podman run: --memory, --pids-limit, --cap-drop, --read-only" {
	run prun --rm --memory 64m --pids-limit 33 --cap-drop NET_RAW --read-only "$IMAGE" sh -c '
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max
		cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max
		grep ^CapEff: /proc/self/status
		grep ^CapBnd: /proc/self/status
		touch /x 2>&1 && echo WROTE; echo end'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 67108864 ]
	[ "${lines[1]}" = 33 ]
	# CAP_NET_RAW is bit 13; CAP_CHOWN (bit 0) is in Podman's default set
	local eff=${lines[2]##*[[:space:]]} bnd=${lines[3]##*[[:space:]]}
	[ $((0x$eff & (1 << 13))) -eq 0 ]
	[ $((0x$bnd & (1 << 13))) -eq 0 ]
	[ $((0x$eff & 1)) -eq 1 ]
	[[ $output == *"Read-only file system"* ]]
	[[ $output != *WROTE* ]]
	[ "${lines[-1]}" = end ]
}

@test "podman run: --security-opt seccomp=<profile> denies mkdir with EPERM" {
	run prun --rm --security-opt "seccomp=$PD/seccomp.json" "$IMAGE" sh -c '
		grep ^Seccomp: /proc/self/status
		mkdir /tmp/d 2>&1 && echo MADE; echo end'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Seccomp:	2" ]
	[[ $output == *"Operation not permitted"* ]]
	[[ $output != *MADE* ]]
	# and without the profile mkdir works (the denial is the profile's)
	run prun --rm "$IMAGE" sh -c 'mkdir /tmp/d && echo MADE'
	echo "$output"
	[ "$output" = MADE ]
}

@test "podman run --device and --privileged: the device nodes are there (issue 18, item 5)" {
	# Podman writes fileMode with the type bits (8576 = S_IFCHR|0600)
	run prun --rm --device /dev/null:/dev/mynull "$IMAGE" sh -c '
		stat -c "%F %t:%T" /dev/mynull; echo x >/dev/mynull && echo wrote'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "character special file 1:3" ]
	[ "${lines[1]}" = wrote ]
	run prun --rm --privileged "$IMAGE" sh -c 'test -c /dev/null && ls /dev | grep -c . && grep ^CapEff: /proc/self/status'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" -gt 10 ]
}

@test "podman run --network none: loopback is up (issue 18, item 6)" {
	run prun --rm "$IMAGE" sh -c 'cat /sys/class/net/lo/flags'
	echo "$output"
	[ "$status" -eq 0 ]
	[ $((output & 1)) -eq 1 ]
}

@test "podman run -t: the container gets a terminal" {
	local cmd
	cmd="$(pcmd) run --rm -t $CGPARENT --network none $IMAGE"
	cmd+=" sh -c 'tty; test -t 0 && echo in-tty; test -t 1 && echo out-tty; exit 5'"
	run timeout -k 5 120 script -qec "$cmd" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 5 ]
	[[ $output =~ /dev/pts/[0-9]+ ]]
	[[ $output == *in-tty* ]]
	[[ $output == *out-tty* ]]
}

@test "a detached container: -d, logs, exec, stop, rm" {
	local id pid start took
	id=$(prun -d --name daemon_dave "$IMAGE" \
		sh -c 'while true; do echo hello world; sleep 1; done')
	[ -n "$id" ]
	[ "$(p inspect -f '{{.State.Running}}' daemon_dave)" = true ]
	pid=$(p inspect -f '{{.State.Pid}}' daemon_dave)
	[ "$pid" -gt 0 ]
	# its cgroup is under the private parent, or with systemd a
	# libpod-<id>.scope of machine.slice
	if [ "${COMPAT_CGROUP:-}" = systemd ]; then
		grep -q "^0::/machine.slice/libpod-$id.scope" "/proc/$pid/cgroup"
	else
		grep -q "^[0-9]*:memory:$CGP/" "/proc/$pid/cgroup"
	fi
	sleep 1.5
	run p logs daemon_dave
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hello world" ]
	run p exec daemon_dave sh -c 'hostname; cat /proc/1/cmdline | tr "\0" " "; exit 4'
	echo "$output"
	[ "$status" -eq 4 ]
	[[ ${lines[1]} == "sh -c while true"* ]]
	run p exec -e X=y -w /tmp -u 1000 daemon_dave sh -c 'echo $X; pwd; id -u'
	echo "$output"
	[ "$output" = "$(printf 'y\n/tmp\n1000')" ]
	# podman exec -it under a pty
	run timeout -k 5 120 script -qec "$(pcmd) exec -it daemon_dave sh -c 'tty; exit 5'" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 5 ]
	[[ $output =~ /dev/pts/[0-9]+ ]]
	# sh ignores SIGTERM as pid 1: podman stop ends it with SIGKILL after 2 s
	start=$SECONDS
	run p stop -t 2 daemon_dave
	took=$((SECONDS - start))
	echo "$output (took ${took}s)"
	[ "$status" -eq 0 ]
	[ "$took" -le 10 ]
	[ "$(p inspect -f '{{.State.Running}} {{.State.ExitCode}}' daemon_dave)" = "false 137" ]
	! kill -0 "$pid" 2>/dev/null
	run p rm daemon_dave
	[ "$status" -eq 0 ]
	run p ps -aq
	[ -z "$output" ]
	# the runtime's state no longer has it
	run timeout 30 "$RT" list -q
	echo "$output"
	[[ $output != *"$id"* ]]
	# nor its cgroup (only conmon's stays in the parent)
	run find /sys/fs/cgroup -maxdepth 3 -path "*$CGP/*" -name "*$id*"
	echo "$output"
	[ -z "$output" ]
}

@test "podman run -i, pause, unpause, kill" {
	run prun --rm -i "$IMAGE" sh -c 'tr a-z A-Z; echo done' <<<"piped in"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'PIPED IN\ndone')" ]
	prun -d --name paula "$IMAGE" sh -c 'i=0; while true; do i=$((i+1)); echo $i >/tmp/n.t; mv /tmp/n.t /tmp/n; sleep 0.1; done' >/dev/null
	sleep 0.5
	p pause paula
	[ "$(p inspect -f '{{.State.Status}}' paula)" = paused ]
	if [ "${COMPAT_CGROUP:-}" = systemd ]; then
		local cg
		cg=$(sed -n 's/^0:://p' "/proc/$(p inspect -f '{{.State.Pid}}' paula)/cgroup")
		[ "$(cat "/sys/fs/cgroup$cg/cgroup.freeze")" = 1 ]
	else
		grep -q FROZEN "/sys/fs/cgroup/freezer$CGP/libpod-$(p inspect -f '{{.Id}}' paula)/freezer.state"
	fi
	p unpause paula
	[ "$(p inspect -f '{{.State.Status}}' paula)" = running ]
	run p exec paula cat /tmp/n
	[ "$output" -gt 0 ]
	p kill -s KILL paula
	run p wait paula
	echo "$output"
	[ "$output" = 137 ]
	p rm paula
}

# ---- checkpoint and restore (CRIU: skipped where it cannot run, as on a
# host whose vDSO it refuses; tests/vm-systemd runs them)

# ck_run NAME — a detached counting container (compat.bash: COMPAT_COUNTER).
ck_run() { prun -d --name "$1" "$IMAGE" sh -c "$COMPAT_COUNTER" >/dev/null; }

# ck_last NAME — the last number it printed (podman logs).
ck_last() { p logs "$1" 2>/dev/null | tail -n 1; }


ck_state() { p inspect -f '{{.State.Status}}' "$1"; }

# ck_ok — the podman command run ran; else CRIU's errors too (its logs in
# the containers' userdata).
ck_ok() {
	echo "$output"
	[ "$status" -eq 0 ] && return 0
	grep -h 'Error' "$PD"/root/*-containers/*/userdata/{dump,restore}.log 2>/dev/null | tail -n 8
	return 1
}

# ck_in_scope NAME — under the systemd driver its init is in
# libpod-<id>.scope, which systemd has active.
ck_in_scope() {
	[ "${COMPAT_CGROUP:-}" = systemd ] || return 0
	local id pid cg
	id=$(p inspect -f '{{.Id}}' "$1")
	pid=$(p inspect -f '{{.State.Pid}}' "$1")
	cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
	[ "${cg##*/}" = "libpod-$id.scope" ] || { echo "$1: pid $pid in $cg, not libpod-$id.scope"; return 1; }
	systemctl is-active --quiet "libpod-$id.scope" || { echo "libpod-$id.scope is not active"; return 1; }
}

@test "podman container checkpoint --leave-running, checkpoint, restore in place: the count goes on, in its scope" {
	compat_criu_or_skip
	ck_run ck1
	ck_wait_past ck1 3
	run p container checkpoint --leave-running ck1
	ck_ok
	[ "$(ck_state ck1)" = running ]
	ck_wait_past ck1 "$(ck_last ck1)"
	run p container checkpoint ck1
	ck_ok
	[ "$(ck_state ck1)" = exited ]
	local at
	at=$(ck_last ck1)
	run p container restore ck1
	ck_ok
	[ "$(ck_state ck1)" = running ]
	ck_wait_past ck1 $((at + 2))
	p logs ck1 | compat_consecutive
	ck_in_scope ck1
	p rm -f -t 0 ck1 >/dev/null
}

@test "podman container checkpoint --export, rm, restore --import (and --name): the count goes on" {
	compat_criu_or_skip
	ck_run ck3
	ck_wait_past ck3 3
	run p container checkpoint --export "$PD/ck3.tar.gz" ck3
	ck_ok
	local at id
	at=$(ck_last ck3)
	id=$(p inspect -f '{{.Id}}' ck3)
	p rm ck3 >/dev/null
	run p container restore --import "$PD/ck3.tar.gz"
	ck_ok
	[ "$(ck_state ck3)" = running ]
	ck_wait_past ck3 $((at + 2))
	# the export has the log too: on from the checkpoint's count, not
	# from 1 again
	p logs ck3 | compat_consecutive
	ck_in_scope ck3
	# the same checkpoint once more, under another name (a new id)
	run p container restore --import "$PD/ck3.tar.gz" --name ck3b
	ck_ok
	[ "$(ck_state ck3b)" = running ]
	[ "$(p inspect -f '{{.Id}}' ck3b)" != "$id" ]
	ck_wait_past ck3b $((at + 2))
	p logs ck3b | compat_consecutive
	# runc 1.1.5 restores this one into ck3's scope, the cgroup the
	# checkpoint was taken in (its own stays empty, and stopping ck3
	# kills it); brig into its own
	[ "$(basename "$RT")" = runc ] || ck_in_scope ck3b
	p rm -f -t 0 ck3 ck3b >/dev/null
}
