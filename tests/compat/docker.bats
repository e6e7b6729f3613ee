#!/usr/bin/env bats
# Docker (Debian's docker.io) driving brig as an OCI runtime.
#
# A private dockerd (its own data root, exec root and socket; no bridge,
# no iptables; vfs storage) gets the runtime under test as "compat" and
# runs a local image imported from the busybox test rootfs.
#
#   COMPAT_RUNTIME=runc bats tests/compat/docker.bats    the same with runc
#   COMPAT_CGROUP=systemd bats ...   dockerd's default cgroup driver (systemd
#                                    on a systemd host) and cgroup parent,
#                                    as tests/vm-systemd runs it
#
# Everything is stopped, unmounted and removed by teardown_file, even
# when a test fails.

load ../integration/helpers
load compat

DOCKER=/usr/bin/docker

runtime_path() {
	case ${COMPAT_RUNTIME:-brig} in
	brig) echo "$BRIG" ;;
	*) command -v "$COMPAT_RUNTIME" ;;
	esac
}

d() { timeout -k 5 120 "$DOCKER" -H "unix://$DD/docker.sock" "$@"; }

# cgroup_opts DIR — dockerd's cgroup options: cgroupfs under a parent
# named after DIR, or none at all with COMPAT_CGROUP=systemd.
cgroup_opts() {
	[ "${COMPAT_CGROUP:-}" = systemd ] && return 0
	echo "--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent /$(basename "$1")"
}

setup_file() {
	[ -x /usr/sbin/dockerd ] && [ -x "$DOCKER" ] ||
		skip "docker.io is not installed (scripts/deps compat)"
	DD=$(mktemp -d /tmp/brig-compat.XXXXXX)
	export DD
	/usr/sbin/dockerd --add-runtime "compat=$(runtime_path)" \
		--bridge=none --iptables=false --ip-masq=false --ip6tables=false \
		--data-root "$DD/data" --exec-root "$DD/exec" \
		-H "unix://$DD/docker.sock" --pidfile "$DD/docker.pid" \
		--storage-driver vfs $(cgroup_opts "$DD") \
		--log-level warn >"$DD/dockerd.log" 2>&1 &
	echo $! >"$DD/dockerd.bgpid"
	local i
	for i in $(seq 150); do
		d version >/dev/null 2>&1 && break
		sleep 0.2
	done
	d version >/dev/null || { cat "$DD/dockerd.log" >&3; return 1; }
	tar -C "$(rootfs_cache)" -c . | d import - brigcompat:busybox >/dev/null
}

teardown_file() {
	[ -n "${DD:-}" ] || return 0
	local pid m i
	if [ -S "$DD/docker.sock" ]; then
		d ps -aq | xargs -r timeout 60 "$DOCKER" -H "unix://$DD/docker.sock" rm -f >/dev/null 2>&1
	fi
	compat_stop "$(cat "$DD/dockerd.bgpid" 2>/dev/null)"
	# the managed containerd and its shims if dockerd left any, mounts,
	# the cgroup parent
	compat_cleanup "$DD"
}

@test "docker info: the cgroup driver asked for (cgroupfs, or the default: systemd with COMPAT_CGROUP=systemd)" {
	run d info -f '{{.CgroupDriver}}'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$([ "${COMPAT_CGROUP:-}" = systemd ] && echo systemd || echo cgroupfs)" ]
}

@test "docker run --rm: echo hi" {
	run d run --runtime compat --rm --network none brigcompat:busybox echo hi
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
}

@test "docker run: exit code, env, workdir, user, hostname" {
	run d run --runtime compat --rm --network none -e FOO=bar -w /tmp -u 1000:1000 \
		--hostname dockhost brigcompat:busybox sh -c 'echo $FOO; pwd; id -u; id -g; hostname; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[ "${lines[0]}" = bar ]
	[ "${lines[1]}" = /tmp ]
	[ "${lines[2]}" = 1000 ]
	[ "${lines[3]}" = 1000 ]
	[ "${lines[4]}" = dockhost ]
}

@test "docker run: a missing or non-executable entrypoint exits 127 or 126, as with runc (issue 18, item 8)" {
	# Docker classifies the runtime's error by runc's (Go's) lowercase
	# words: "executable file not found", "no such file or directory"
	# (127), "permission denied" (126); anything else is 125
	run -127 d run --runtime compat --rm --network none brigcompat:busybox /nonexistent
	echo "$output"
	run -127 d run --runtime compat --rm --network none brigcompat:busybox no-such-command
	echo "$output"
	run -126 d run --runtime compat --rm --network none brigcompat:busybox /etc/passwd
	echo "$output"
}

@test "docker run: Docker's cpu shares 0 leave the cgroup's 1024, and docker update of one field works (issue 18, items 1-2)" {
	local id
	id=$(d run -d --runtime compat --network none brigcompat:busybox sleep 100)
	run d exec "$id" sh -c 'cat /sys/fs/cgroup/cpu/cpu.shares 2>/dev/null || cat /sys/fs/cgroup/cpu.weight'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 1024 ] || [ "$output" = 100 ]
	run d update --pids-limit 100 "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	run d update --cpus 0.5 --cpu-shares 512 "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	run d exec "$id" sh -c 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max
		cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/cpu.max
		cat /sys/fs/cgroup/cpu/cpu.shares 2>/dev/null || cat /sys/fs/cgroup/cpu.weight'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 100 ]
	[[ ${lines[1]} == 50000* ]]
	[ "${lines[2]}" = 512 ] || [ "${lines[2]}" = 20 ]
	run d update --restart always "$id"
	[ "$status" -eq 0 ]
	d rm -f "$id" >/dev/null
}

@test "docker run: --memory, --pids-limit, --cap-drop, --read-only" {
	run d run --runtime compat --rm --network none --memory 64m --pids-limit 33 \
		--cap-drop NET_RAW --read-only brigcompat:busybox sh -c '
		cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max
		cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max
		grep ^CapBnd: /proc/self/status
		touch /x 2>/dev/null && echo WROTE; echo end'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 67108864 ]
	[ "${lines[1]}" = 33 ]
	# CAP_NET_RAW is bit 13
	local bnd=${lines[2]##*[[:space:]]}
	[ $((0x$bnd & (1 << 13))) -eq 0 ]
	[[ $output != *WROTE* ]]
}

@test "a detached container: logs, top, exec, exec -t, stop, rm" {
	d run --runtime compat -d --network none --name daemon_dave brigcompat:busybox \
		sh -c 'while true; do echo hello world; sleep 1; done'
	sleep 1.5
	run d logs -t daemon_dave
	echo "$output"
	[[ ${lines[0]} == *"hello world" ]]
	run d top daemon_dave
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"sleep 1"* ]] || [[ $output == *"while true"* ]] || [[ $output == *"sh -c"* ]]
	run d exec daemon_dave sh -c 'hostname; cat /proc/1/cmdline | tr "\0" " "; exit 4'
	echo "$output"
	[ "$status" -eq 4 ]
	[[ ${lines[1]} == "sh -c while true"* ]]
	run d exec -e X=y -w /tmp -u 1000 daemon_dave sh -c 'echo $X; pwd; id -u'
	[ "$output" = "$(printf 'y\n/tmp\n1000')" ]
	# docker exec -it under a pty
	run script -qec "$DOCKER -H unix://$DD/docker.sock exec -it daemon_dave sh -c 'tty; exit 5'" /dev/null </dev/null
	echo "$output"
	[ "$status" -eq 5 ]
	[[ $output =~ /dev/pts/[0-9]+ ]]
	# sh ignores SIGTERM as pid 1: docker stop ends it with SIGKILL
	run d stop -t 2 daemon_dave
	[ "$status" -eq 0 ]
	[ "$(d inspect -f '{{.State.Running}} {{.State.ExitCode}}' daemon_dave)" = "false 137" ]
	run d rm daemon_dave
	[ "$status" -eq 0 ]
	run d ps -aq
	[ -z "$output" ]
}

@test "docker update of every field it sends, one at a time, as with runc (issue 18, item 2)" {
	local id
	id=$(d run -d --runtime compat --network none --memory 64m brigcompat:busybox sleep 100)
	cg() { d exec "$id" cat "/sys/fs/cgroup/$1"; }
	run d update --memory 96m --memory-swap 200m "$id"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(cg memory/memory.limit_in_bytes)" = $((96 << 20)) ]
	run d update --memory-reservation 32m "$id"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(cg memory/memory.soft_limit_in_bytes)" = $((32 << 20)) ]
	run d update --cpu-shares 300 "$id"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(cg cpu/cpu.shares)" = 300 ]
	run d update --cpus 1.5 "$id"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(cg cpu/cpu.cfs_quota_us)" = 150000 ]
	# (Docker refuses --cpu-period once --cpus was set: another container)
	d rm -f "$id" >/dev/null
	id=$(d run -d --runtime compat --network none --memory 96m --cpu-shares 300 brigcompat:busybox sleep 100)
	run d update --cpu-period 50000 --cpu-quota 25000 "$id"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(cg cpu/cpu.cfs_period_us)" = 50000 ]
	[ "$(cg cpu/cpu.cfs_quota_us)" = 25000 ]
	run d update --cpuset-cpus 0 --cpuset-mems 0 "$id"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(cg cpuset/cpuset.cpus)" = 0 ]
	run d update --pids-limit 77 "$id"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(cg pids/pids.max)" = 77 ]
	# every one of them left the others as they were
	[ "$(cg memory/memory.limit_in_bytes)" = $((96 << 20)) ]
	[ "$(cg cpu/cpu.shares)" = 300 ]
	run d update --restart on-failure:3 "$id"
	[ "$status" -eq 0 ]
	[ "$(d inspect -f '{{.State.Running}}' "$id")" = true ]
	d rm -f "$id" >/dev/null
}

# the --userns-remap test's own dockerd, user and /etc/sub[ug]id lines,
# undone even when it fails
teardown() {
	local f
	[ -n "${REMAP_DIR:-}" ] || return 0
	if [ -S "$REMAP_DIR/docker.sock" ]; then
		timeout 60 "$DOCKER" -H "unix://$REMAP_DIR/docker.sock" ps -aq 2>/dev/null |
			xargs -r timeout 60 "$DOCKER" -H "unix://$REMAP_DIR/docker.sock" rm -f >/dev/null 2>&1
	fi
	compat_stop "${REMAP_PID:-}"
	compat_cleanup "$REMAP_DIR"
	[ -n "${REMAP_USER:-}" ] && userdel "$REMAP_USER" 2>/dev/null
	for f in subuid subgid; do
		if [ -e "$DD/$f.bak" ]; then cp -p "$DD/$f.bak" /etc/$f; else rm -f /etc/$f; fi
	done
	REMAP_DIR=
}

@test "dockerd --userns-remap: containers run, owned by the remapped ids (issue 18, item 4)" {
	# a second private dockerd, remapping root to a range of a user of
	# the test's own (/etc/subuid and /etc/subgid restored by teardown)
	local f i
	REMAP_USER=brigremap$RANDOM
	REMAP_DIR=$DD/remap
	for f in subuid subgid; do
		if [ -e /etc/$f ]; then cp -p /etc/$f "$DD/$f.bak"; fi
	done
	useradd -M -U -s /bin/false "$REMAP_USER"
	echo "$REMAP_USER:500000000:65536" >>/etc/subuid
	echo "$REMAP_USER:500000000:65536" >>/etc/subgid
	mkdir -p "$REMAP_DIR"
	# the remapped root must reach its part of the data root
	chmod 711 "$DD" "$REMAP_DIR"
	/usr/sbin/dockerd --add-runtime "compat=$(runtime_path)" --userns-remap "$REMAP_USER" \
		--bridge=none --iptables=false --ip-masq=false --ip6tables=false \
		--data-root "$REMAP_DIR/data" --exec-root "$REMAP_DIR/exec" \
		-H "unix://$REMAP_DIR/docker.sock" --pidfile "$REMAP_DIR/docker.pid" \
		--storage-driver vfs $(cgroup_opts "$DD") --log-level warn >"$REMAP_DIR/dockerd.log" 2>&1 &
	REMAP_PID=$!
	d2() { timeout -k 5 120 "$DOCKER" -H "unix://$REMAP_DIR/docker.sock" "$@"; }
	for i in $(seq 150); do
		d2 version >/dev/null 2>&1 && break
		sleep 0.2
	done
	d2 version >/dev/null || { cat "$REMAP_DIR/dockerd.log" >&2; false; }
	tar -C "$(rootfs_cache)" -c . | d2 import - brigcompat:busybox >/dev/null
	run d2 run --runtime compat --rm --network none --oom-score-adj 100 brigcompat:busybox \
		sh -c 'cat /proc/self/uid_map; cat /proc/self/oom_score_adj; id -u'
	echo "$output"
	[ "$status" -eq 0 ]
	# root inside is a subordinate id of the user's outside (useradd may
	# have given it a range of its own before ours)
	local host0
	host0=$(awk '$1 == 0 { print $2 }' <<<"$output")
	[ -n "$host0" ] && [ "$host0" -gt 0 ]
	# oomScoreAdj written from outside the user namespace
	[ "${lines[-2]}" = 100 ]
}
