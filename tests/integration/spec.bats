#!/usr/bin/env bats
# brig spec: the starter config.json, and that brig runs it.

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

@test "spec writes config.json in the current directory" {
	mkdir "$TESTDIR/cwd"
	cd "$TESTDIR/cwd"
	run "$BRIG" spec
	[ "$status" -eq 0 ]
	[ -f config.json ]
	# A real OCI config: version, the sh process, the rootfs, Linux namespaces.
	[[ $(jq -r .ociVersion config.json) == 1.* ]]
	[ "$(jq -c .process.args config.json)" = '["sh"]' ]
	[ "$(jq -r .root.path config.json)" = rootfs ]
	[ "$(jq -r .root.readonly config.json)" = true ]
	jq -e '.linux.namespaces | map(.type) | index("pid") and index("mount") and index("ipc") and index("uts") and index("network")' config.json
	jq -e '.mounts | map(.destination) | index("/proc") and index("/dev")' config.json
	! jq -e '.linux.namespaces | map(.type) | index("user")' config.json || false
}

@test "spec --bundle writes into the bundle, not the current directory" {
	mkdir "$TESTDIR/other" "$TESTDIR/cwd"
	cd "$TESTDIR/cwd"
	run "$BRIG" spec --bundle "$TESTDIR/other"
	[ "$status" -eq 0 ]
	[ -f "$TESTDIR/other/config.json" ]
	[ ! -e config.json ]
	jq -e .process "$TESTDIR/other/config.json"

	mkdir "$TESTDIR/short"
	run "$BRIG" spec -b "$TESTDIR/short"
	[ "$status" -eq 0 ]
	[ -f "$TESTDIR/short/config.json" ]
}

@test "spec refuses to overwrite an existing config.json" {
	mkdir "$TESTDIR/cwd"
	echo '{"mine": true}' >"$TESTDIR/cwd/config.json"
	cd "$TESTDIR/cwd"
	run "$BRIG" spec
	[ "$status" -ne 0 ]
	[[ $output == *config.json* ]]
	[ "$(cat config.json)" = '{"mine": true}' ]

	run "$BRIG" spec --bundle "$TESTDIR/cwd"
	[ "$status" -ne 0 ]
	[ "$(cat config.json)" = '{"mine": true}' ]
}

@test "spec --rootless asks for a user namespace with id mappings" {
	mkdir "$TESTDIR/rl"
	run "$BRIG" spec --rootless --bundle "$TESTDIR/rl"
	[ "$status" -eq 0 ]
	local c=$TESTDIR/rl/config.json
	jq -e '.linux.namespaces | map(.type) | index("user")' "$c"
	! jq -e '.linux.namespaces | map(.type) | index("network")' "$c" || false
	[ "$(jq '.linux.uidMappings | length' "$c")" -ge 1 ]
	[ "$(jq '.linux.gidMappings | length' "$c")" -ge 1 ]
	# Mapped to the caller, container root inside.
	[ "$(jq -r '.linux.uidMappings[0].hostID' "$c")" = "$(id -u)" ]
	[ "$(jq -r '.linux.uidMappings[0].containerID' "$c")" = 0 ]
}

@test "run accepts the default config, only args changed" {
	# setup_bundle already wrote one; start again from the untouched output.
	rm "$BUNDLE/config.json"
	"$BRIG" spec --bundle "$BUNDLE"
	update_config '.process.args = ["sh", "-c", "echo hello from $(hostname); id -u"]'
	# terminal is true by default: give it a terminal.
	run script -qec "$BRIG --root $ROOT run --bundle $BUNDLE $CID" /dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"hello from "* ]]
	[[ $output == *$'\n0'* ]] || [[ $output == *$'\r\n0'* ]]
	# run deleted it afterwards.
	run brig state "$CID"
	[ "$status" -ne 0 ]
}

@test "run accepts the default config with terminal off" {
	run_sh 'echo hello; cat /proc/self/status | grep ^NoNewPrivs'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello ]
	[[ ${lines[1]} == "NoNewPrivs:"*1 ]]
}
