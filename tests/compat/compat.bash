# tests/compat/compat.bash — the clean-up shared by the compat files.  Each
# file runs its client (dockerd, containerd, podman) under one private
# directory DIR made with mktemp, whose name is also its cgroup parent;
# these undo what is left under it, even after a failed test.

# compat_stop PID — SIGTERM, up to 20 s to exit, then SIGKILL.
compat_stop() {
	local pid=$1 i
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid"
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.2
	done
	kill -KILL "$pid" 2>/dev/null
}

# compat_cleanup DIR — kill the processes whose command line names DIR/
# (shims, conmon), unmount everything under DIR, remove the cgroup named
# after DIR in every hierarchy, then DIR itself.
compat_cleanup() {
	local dir=$1 pid m
	for pid in $(pgrep -f -- "$dir/"); do
		kill -KILL "$pid" 2>/dev/null
	done
	for m in $(awk -v s="$dir" 'index($5, s) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	find /sys/fs/cgroup -maxdepth 3 -type d -name "$(basename "$dir")" 2>/dev/null |
		while read -r m; do
			find "$m" -depth -type d -exec rmdir {} + 2>/dev/null
		done
	rm -rf "$dir"
}

# compat_criu_or_skip — skip unless CRIU runs on this kernel (Debian's
# criu; `criu check` fails on some hosts' vDSO, works in tests/vm-systemd).
compat_criu_or_skip() {
	command -v criu >/dev/null || skip "criu is not installed (package criu)"
	criu check >/dev/null 2>&1 || skip "CRIU cannot run on this kernel (criu check fails)"
}

# COMPAT_COUNTER — a shell loop printing 1, 2, 3 ... every 0.2 s: its
# count lives in the process's memory, so a restored one goes on where the
# checkpoint left it and a restarted one starts again at 1.
COMPAT_COUNTER='i=0; while :; do i=$((i + 1)); echo $i; sleep 0.2; done'

# ck_wait_past ID N — until the counter ID (COMPAT_COUNTER, read by the
# suite's own ck_last ID) is past N, up to 60 s (the checkpoint tests).
ck_wait_past() {
	local i n=
	for i in $(seq 120); do
		n=$(ck_last "$1")
		[ "${n:-0}" -gt "$2" ] 2>/dev/null && return 0
		sleep 0.5
	done
	echo "$1: counted ${n:-nothing}, not past $2"
	return 1
}

# compat_consecutive — its standard input is N, N+1, N+2 ... (one a line,
# at least two lines); else say where it is not.
compat_consecutive() {
	awk 'NR > 1 && $1 != prev + 1 { print "line " NR ": " $1 " after " prev; bad = 1 }
		{ prev = $1 } END { if (NR < 2) { print NR " lines"; bad = 1 } exit bad }'
}
