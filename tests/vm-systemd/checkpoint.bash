# tests/vm-systemd/checkpoint.bash — the clients' checkpoint and restore
# (Debian's criu) at their default cgroup driver (systemd here), the
# runtime RT (runc first, the oracle, then brig) behind a wrapper that
# logs what each client passes it: Podman's container checkpoint and
# restore (in place, --leave-running, --export and --import, --name), and
# containerd's ctr task checkpoint and containers checkpoint --task /
# restore --live (the checkpoint tests of tests/compat/podman.bats and
# containerd.bats, which skip on a host where CRIU cannot run).
#
#   checkpoint_checks runc|brig
#   checkpoint_same_flags       after both: the clients passed brig the
#                               flags they passed runc

CK_ONLY='checkpoint'
CK_LOGS=/tmp/vmsd-ck

# ck_wrapper RT — print the path of a wrapper named RT (Podman and the
# shim treat a runtime by its name) that appends "PARENT ARGS..." to
# $CK_LOGS/RT.argv, then runs RT.
ck_wrapper() {
	local rt=$1 dir=$CK_LOGS/$1
	mkdir -p "$dir"
	cat >"$dir/$rt" <<-EOF
		#!/bin/sh
		echo "\$(cat /proc/\$PPID/comm) \$*" >>$CK_LOGS/$rt.argv
		exec $(command -v "$rt") "\$@"
	EOF
	chmod 755 "$dir/$rt"
	echo "$dir/$rt"
}

checkpoint_checks() {
	local rt=$1 wrapper file start
	if ! criu check >/dev/null 2>&1; then
		skip_check "$rt: checkpoint and restore through the clients" "criu check fails: $(criu check 2>&1 | tail -n 1)"
		return 0
	fi
	wrapper=$(ck_wrapper "$rt")
	for file in podman.bats containerd.bats; do
		start=$SECONDS
		COMPAT_RUNTIME=$wrapper COMPAT_CGROUP=systemd tap_bats "$rt: $(basename "$file" .bats)" \
			--filter "$CK_ONLY" "/payload/tests/compat/$file"
		echo "# $file (checkpoint): $((SECONDS - start))s"
	done
}

# ck_flags RT — each checkpoint and restore command line the clients ran
# RT with, as "PARENT command --flag ..." (values, ids and paths left
# out), one a line, sorted, no repeats.
ck_flags() {
	awk '{
		cmd = ""; flags = ""
		for (i = 2; i <= NF; i++) {
			if ($i == "checkpoint" || $i == "restore") cmd = $i
			else if (cmd != "" && $i ~ /^-/) { sub(/=.*/, "", $i); flags = flags " " $i }
		}
		if (cmd != "") print $1 " " cmd flags
	}' "$CK_LOGS/$1.argv" 2>/dev/null | sort -u
}

c_same_flags() {
	local runc brig
	runc=$(ck_flags runc)
	brig=$(ck_flags brig)
	echo "$runc" | sed 's/^/runc: /'
	[ -n "$runc" ] || { echo "no checkpoint or restore logged for runc"; return 1; }
	[ "$runc" = "$brig" ] && return 0
	echo "brig was passed other flags:"
	diff <(echo "$runc") <(echo "$brig")
	return 1
}

checkpoint_same_flags() {
	criu check >/dev/null 2>&1 || return 0
	check "checkpoint: Podman, conmon and the shim passed brig the flags they passed runc" c_same_flags
	# the command lines themselves, for the record
	sed 's/^/# brig argv: /' "$CK_LOGS/brig.argv" 2>/dev/null | grep -E ' (checkpoint|restore) '
	rm -rf "$CK_LOGS"
}
