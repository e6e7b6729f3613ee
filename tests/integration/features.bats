#!/usr/bin/env bats
# brig features (features.md) and brig --version: the forms callers parse,
# and the truth about this build.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

features() {
	"$BRIG" features >"$TESTDIR/features.json"
}

# validate_features.py holds brig's own reading of features.md and
# features-linux.md (structure, types, the names config.json may use).
@test "features: valid JSON with the structure and names features.md gives" {
	features
	jq -e . "$TESTDIR/features.json" >/dev/null
	run python3 "$INTEGRATION_DIR/validate_features.py" "$TESTDIR/features.json"
	echo "$output"
	[ "$status" -ne 77 ] || skip "python3-jsonschema is not installed"
	[ "$status" -eq 0 ]
	# the validator itself catches each of these wrong documents
	local bad i=0 files=()
	for bad in '.linux.seccomp.actions += ["SCMP_ACT_BOGUS"]' 'del(.ociVersionMax)' \
		'.ociVersionMax = "0.9.0"' '.linux.cgroup.v2 = "yes"' '.linux.shiny = {}' \
		'.hooks += ["prestart"]' '.annotations.n = 1'; do
		i=$((i + 1))
		jq "$bad" "$TESTDIR/features.json" >"$TESTDIR/bad$i.json"
		files+=("$TESTDIR/bad$i.json")
	done
	run python3 "$INTEGRATION_DIR/validate_features.py" "${files[@]}"
	echo "$output"
	[ "$status" -eq 1 ]
	for bad in "${files[@]}"; do
		grep -q "^$bad: " <<<"$output"
	done
}

@test "features: versions, hooks, namespaces" {
	is_runc && skip "brig's own values"
	features
	local f=$TESTDIR/features.json
	[ "$(jq -r .ociVersionMin "$f")" = 1.0.0 ]
	# the version brig writes in state.json is the newest it claims
	[ "$(jq -r .ociVersionMax "$f")" = "$("$BRIG" --version | sed -n 's/^spec: //p')" ]
	[ "$(jq -c .hooks "$f")" = '["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]' ]
	[ "$(jq -c '.linux.namespaces | sort' "$f")" = '["cgroup","ipc","mount","network","pid","time","user","uts"]' ]
}

@test "features: capabilities are this kernel's" {
	features
	local n
	n=$(jq '.linux.capabilities | length' "$TESTDIR/features.json")
	[ "$n" -eq $(($(cat /proc/sys/kernel/cap_last_cap) + 1)) ]
	jq -e '.linux.capabilities | index("CAP_CHOWN") == 0' "$TESTDIR/features.json"
	jq -e '.linux.capabilities | all(test("^CAP_[A-Z_]+$"))' "$TESTDIR/features.json"
}

@test "features: cgroup, AppArmor, SELinux, RDT, idmap, netDevices as built" {
	is_runc && skip "brig's own values"
	features
	local f=$TESTDIR/features.json
	[ "$(jq -c .linux.cgroup "$f")" = '{"v1":true,"v2":true,"systemd":true,"systemdUser":true,"rdma":true}' ]
	[ "$(jq -r .linux.selinux.enabled "$f")" = false ]
	[ "$(jq -r .linux.intelRdt.enabled "$f")" = false ]
	[ "$(jq -r .linux.mountExtensions.idmap.enabled "$f")" = false ]
	[ "$(jq -r .linux.netDevices.enabled "$f")" = false ]
	[ "$(jq -r .linux.apparmor.enabled "$f")" = true ]
	# what it says is missing really is: idmapped mounts are refused
	jq -e '.mountOptions | index("idmap") == null' "$f"
	add_mount '{"destination": "/mnt", "type": "bind", "source": "/tmp", "options": ["bind", "idmap"]}'
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ $stderr == *idmap* ]]
}

@test "features: seccomp names are the ones config.json may use" {
	features
	local f=$TESTDIR/features.json
	jq -e '.linux.seccomp.enabled' "$f"
	jq -e '.linux.seccomp.actions | index("SCMP_ACT_ERRNO") and index("SCMP_ACT_NOTIFY") and index("SCMP_ACT_KILL_PROCESS")' "$f"
	jq -e '.linux.seccomp.operators | length == 7' "$f"
	jq -e '.linux.seccomp.archs | index("SCMP_ARCH_X86_64")' "$f"
	# supported flags are known flags
	jq -e '.linux.seccomp as $s | ($s.supportedFlags // []) - ($s.knownFlags // []) == []' "$f"
	is_runc && return 0
	# every action and arch it lists is accepted by create
	local act arch
	for act in $(jq -r '.linux.seccomp.actions[] | select(. != "SCMP_ACT_NOTIFY" and . != "SCMP_ACT_ALLOW")' "$f"); do
		update_config --arg a "$act" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
			architectures: ["SCMP_ARCH_X86_64"],
			syscalls: [{names: ["acct"], action: $a}]}'
		run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
		echo "$act: $status $stderr"
		[ "$status" -eq 0 ]
	done
	# every arch is recognised (one of another byte order cannot join this
	# host's filter: libseccomp refuses it, with a message naming it)
	for arch in $(jq -r '.linux.seccomp.archs[]' "$f"); do
		update_config --arg a "$arch" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
			architectures: [$a], syscalls: []}'
		run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
		echo "$arch: $status $stderr"
		[[ $stderr != *unknown* ]]
	done
	update_config '.linux.seccomp.architectures = ["SCMP_ARCH_BOGUS"]'
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[[ $stderr == *unknown* ]]
	# and every supported flag
	for fl in $(jq -r '.linux.seccomp.supportedFlags[]' "$f"); do
		update_config --arg fl "$fl" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
			flags: [$fl], syscalls: []}'
		run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
		echo "$fl: $status $stderr"
		[ "$status" -eq 0 ]
	done
}

@test "features: annotations carry the libseccomp version --version prints" {
	is_runc && skip "brig's own values"
	features
	[ "$(jq -r '.annotations["io.github.seccomp.libseccomp.version"]' "$TESTDIR/features.json")" = \
		"$("$BRIG" --version | sed -n 's/^libseccomp: //p')" ]
	run "$BRIG" features --bogus
	[ "$status" -ne 0 ]
}

@test "--version: the lines Docker and containerd parse" {
	run "$BRIG" --version
	[ "$status" -eq 0 ]
	echo "$output"
	# "<name> version <v>" first, as runc; then spec and libseccomp
	[[ ${lines[0]} =~ ^[a-z]+\ version\ [0-9]+\.[0-9]+\.[0-9]+ ]]
	is_runc && return 0
	[[ ${lines[0]} =~ ^brig\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	grep -qx 'spec: 1.3.0' <<<"$output"
	grep -qE '^libseccomp: [0-9]+\.[0-9]+\.[0-9]+$' <<<"$output"
	run "$BRIG" -v
	[ "${lines[0]}" = "$(brig --version | head -1)" ]
}
