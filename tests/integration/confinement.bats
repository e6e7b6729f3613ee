#!/usr/bin/env bats
# Capabilities and no_new_privs, as the container's process sees them in
# /proc/self/status.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# caps_of OUTPUT NAME — the hex value of the NAME line (CapEff, ...).
caps_of() {
	printf '%s\n' "$1" | awk -v n="$2:" '$1 == n { print $2 }'
}

# set_caps JSON — process.capabilities.
set_caps() {
	update_config --argjson c "$1" '.process.capabilities = $c'
}

STATUS_SCRIPT='grep -E "^(Cap|NoNewPrivs|Uid|Gid)" /proc/self/status'

@test "default capabilities of brig spec as root" {
	run_sh "$STATUS_SCRIPT"
	[ "$status" -eq 0 ]
	# CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29)
	[ "$(caps_of "$output" CapBnd)" = 0000000020000420 ]
	[ "$(caps_of "$output" CapEff)" = 0000000020000420 ]
	[ "$(caps_of "$output" CapPrm)" = 0000000020000420 ]
	[ "$(caps_of "$output" CapInh)" = 0000000000000000 ]
	[ "$(caps_of "$output" CapAmb)" = 0000000000000000 ]
}

@test "five different capability sets as root" {
	# CHOWN 0, DAC_OVERRIDE 1, KILL 5, NET_RAW 13, SYS_ADMIN 21
	set_caps '{
		"bounding": ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_KILL", "CAP_NET_RAW", "CAP_SYS_ADMIN"],
		"permitted": ["CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW"],
		"effective": ["CAP_KILL"],
		"inheritable": ["CAP_CHOWN", "CAP_NET_RAW"],
		"ambient": ["CAP_NET_RAW"]}'
	run_sh "$STATUS_SCRIPT"
	[ "$status" -eq 0 ]
	[ "$(caps_of "$output" CapBnd)" = 0000000000202023 ]
	[ "$(caps_of "$output" CapInh)" = 0000000000002001 ]
	[ "$(caps_of "$output" CapAmb)" = 0000000000002000 ]
	# root's execve would raise permitted to the whole bounding set, but
	# no_new_privs (on in brig spec's config) keeps it to what it was
	[ "$(caps_of "$output" CapPrm)" = 0000000000002021 ]
	[ "$(caps_of "$output" CapEff)" = 0000000000002021 ]
}

@test "no capabilities at all: root is powerless" {
	set_caps '{}'
	run_sh "$STATUS_SCRIPT; chown 1000 /etc/passwd; echo chown=\$?"
	[ "$status" -eq 0 ]
	[ "$(caps_of "$output" CapBnd)" = 0000000000000000 ]
	[ "$(caps_of "$output" CapEff)" = 0000000000000000 ]
	[ "$(caps_of "$output" CapPrm)" = 0000000000000000 ]
	[[ $output == *"chown=1"* ]]
}

@test "non-root user keeps ambient capabilities across exec" {
	update_config '.process.user = {uid: 1000, gid: 1000}'
	set_caps '{
		"bounding": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		"permitted": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		"effective": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
		"inheritable": ["CAP_NET_BIND_SERVICE"],
		"ambient": ["CAP_NET_BIND_SERVICE"]}'
	run_sh "$STATUS_SCRIPT"
	[ "$status" -eq 0 ]
	[[ $output == *"Uid:"*"1000"* ]]
	[ "$(caps_of "$output" CapBnd)" = 0000000000000420 ]
	[ "$(caps_of "$output" CapInh)" = 0000000000000400 ]
	[ "$(caps_of "$output" CapAmb)" = 0000000000000400 ]
	# a non-root exec keeps only the ambient set
	[ "$(caps_of "$output" CapPrm)" = 0000000000000400 ]
	[ "$(caps_of "$output" CapEff)" = 0000000000000400 ]
}

@test "non-root user without ambient capabilities has none" {
	update_config '.process.user = {uid: 1000, gid: 1000}'
	set_caps '{
		"bounding": ["CAP_NET_BIND_SERVICE"],
		"permitted": ["CAP_NET_BIND_SERVICE"],
		"effective": ["CAP_NET_BIND_SERVICE"]}'
	run_sh "$STATUS_SCRIPT"
	[ "$status" -eq 0 ]
	[ "$(caps_of "$output" CapBnd)" = 0000000000000400 ]
	[ "$(caps_of "$output" CapPrm)" = 0000000000000000 ]
	[ "$(caps_of "$output" CapEff)" = 0000000000000000 ]
	[ "$(caps_of "$output" CapAmb)" = 0000000000000000 ]
}

@test "capabilities apply to create + start as well as run" {
	update_config '.process.user = {uid: 1000, gid: 1000}'
	set_caps '{"bounding": ["CAP_KILL"], "permitted": ["CAP_KILL"],
		"effective": ["CAP_KILL"], "inheritable": ["CAP_KILL"], "ambient": ["CAP_KILL"]}'
	share_dir
	set_args sh -c "$STATUS_SCRIPT >/shared/status"
	create_ctr "$CID"
	brig start "$CID"
	wait_file "$SHARED/status"
	wait_status "$CID" stopped
	out=$(cat "$SHARED/status")
	[ "$(caps_of "$out" CapAmb)" = 0000000000000020 ]
	[ "$(caps_of "$out" CapEff)" = 0000000000000020 ]
	brig delete "$CID"
}

@test "a capability unknown to the kernel is skipped with a warning" {
	set_caps '{"bounding": ["CAP_KILL", "CAP_BRIG_FROM_THE_FUTURE"],
		"permitted": ["CAP_KILL"], "effective": ["CAP_KILL"]}'
	run_sh "$STATUS_SCRIPT"
	[ "$status" -eq 0 ]
	[ "$(caps_of "$output" CapBnd)" = 0000000000000020 ]
	is_runc && return 0
	[[ $stderr == *"warning"*"process.capabilities.bounding[1]"*"CAP_BRIG_FROM_THE_FUTURE"* ]]
}

@test "a malformed capability name is an error naming its JSON path" {
	is_runc && skip "runc accepts lower-case names"
	set_caps '{"bounding": ["CAP_KILL"], "effective": ["cap_kill"]}'
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	is_runc && return 0
	[[ $stderr == *"process.capabilities.effective[0]"* ]]
	assert_nothing_left "$CID"
}

@test "noNewPrivileges true shows as NoNewPrivs 1" {
	update_config '.process.noNewPrivileges = true'
	run_sh "$STATUS_SCRIPT"
	[ "$status" -eq 0 ]
	[[ $output == *"NoNewPrivs:"*"1"* ]]
}

@test "noNewPrivileges false shows as NoNewPrivs 0" {
	update_config '.process.noNewPrivileges = false'
	run_sh "$STATUS_SCRIPT"
	[ "$status" -eq 0 ]
	[[ $output == *"NoNewPrivs:"*"0"* ]]
}

# A set-user-ID root copy of the probe helper, run as uid 1000.
setuid_probe() {
	cp "$(helper_bin probe -static)" "$BUNDLE/rootfs/bin/probe-suid"
	chown 0:0 "$BUNDLE/rootfs/bin/probe-suid"
	chmod 4755 "$BUNDLE/rootfs/bin/probe-suid"
	update_config '.process.user = {uid: 1000, gid: 1000}'
}

@test "a setuid binary gains root without noNewPrivileges" {
	setuid_probe
	update_config '.process.noNewPrivileges = false'
	run_sh "id -u; /bin/probe-suid euid"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = "euid: 0" ]
}

@test "a setuid binary does not gain root with noNewPrivileges" {
	setuid_probe
	update_config '.process.noNewPrivileges = true'
	run_sh "id -u; /bin/probe-suid euid"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = "euid: 1000" ]
}

@test "selinuxLabel and mountLabel are accepted on a host without SELinux" {
	[ -d /sys/fs/selinux ] && skip "SELinux is enabled on this host"
	is_runc && skip "runc 1.1 refuses labels without SELinux"
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"
		| .linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
	run_sh 'echo ok'
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	[ -z "$stderr" ]
	run --separate-stderr brig --debug run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ $stderr == *"selinuxLabel"*"ignored"* ]]
}
