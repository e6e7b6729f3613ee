#!/usr/bin/env bats
# Failures: non-zero exit, one `brig: <message>` line on stderr, and nothing
# left behind (state dir, cgroup, mount, process).

load helpers

setup() { setup_bundle; }
teardown() { teardown_bundle; }

# expect_failure CMD... — run a brig command, expect a clean failure.
expect_failure() {
	run --separate-stderr brig "$@"
	echo "status=$status stdout=$output"
	[ "$status" -ne 0 ]
	assert_error_line
	assert_nothing_left "$CID"
	# No container of any name was left in the root.
	[ -z "$(ls -A "$ROOT" 2>/dev/null | grep -v -E '^\.|\.lock$')" ] || {
		echo "left in root: $(ls -A "$ROOT")"
		false
	}
}

setup_bundle_config_from_scratch() {
	rm -f "$BUNDLE/config.json"
	"$BRIG" spec --bundle "$BUNDLE"
	update_config '.process.terminal = false | .process.args = ["true"]'
}

@test "missing bundle" {
	expect_failure create --bundle "$TESTDIR/no-such-bundle" "$CID"
	expect_failure run --bundle "$TESTDIR/no-such-bundle" "$CID"
}

@test "missing config.json" {
	rm "$BUNDLE/config.json"
	expect_failure create --bundle "$BUNDLE" "$CID"
	[[ $stderr == *config.json* ]]
}

@test "invalid JSON: the message says where" {
	printf '{\n  "ociVersion": "1.0.2",\n  "process": {,\n}\n' >"$BUNDLE/config.json"
	expect_failure create --bundle "$BUNDLE" "$CID"
	is_runc || [[ $stderr =~ (line[\ :]*3|:3:[0-9]+) ]]
	is_runc || [[ $stderr == *config.json* ]]
}

@test "wrong type in config: the message names the JSON path" {
	update_config '.process.args = "sh"'
	expect_failure create --bundle "$BUNDLE" "$CID"
	is_runc || [[ $stderr == *process.args* ]]

	update_config '.process.args = ["true"] | .process.user.uid = "root"'
	expect_failure create --bundle "$BUNDLE" "$CID"
	is_runc || [[ $stderr == *process.user.uid* ]]
}

@test "missing process or root" {
	local f
	for f in .process .root; do
		setup_bundle_config_from_scratch
		update_config "del($f)"
		expect_failure run --bundle "$BUNDLE" "$CID"
	done
}

@test "unknown id" {
	expect_failure state "$CID"
	expect_failure start "$CID"
	expect_failure kill "$CID" KILL
	expect_failure delete "$CID"
}

@test "duplicate id" {
	share_dir
	set_args sh -c 'echo up >/shared/up; exec sleep 100'
	create_ctr "$CID"
	local pid
	pid=$(state_field "$CID" pid)
	run --separate-stderr brig create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	assert_error_line
	[ "$(state_field "$CID" status)" = created ]
	[ "$(state_field "$CID" pid)" = "$pid" ]
	brig delete -f "$CID"
	assert_nothing_left "$CID"
}

@test "invalid ids" {
	local bad long
	long=$(printf 'x%.0s' $(seq 300))
	for bad in "a/b" ".." "." "" "../escape" "$long"; do
		run --separate-stderr brig create --bundle "$BUNDLE" "$bad"
		echo "id '$bad': status=$status"
		[ "$status" -ne 0 ]
		assert_error_line
	done
	# Nothing was written outside (or inside) the root.
	[ ! -e "$TESTDIR/escape" ]
	[ ! -e "$TESTDIR/state.json" ]
	[ -z "$(ls -A "$ROOT" 2>/dev/null | grep -v -E '^\.|\.lock$')" ]
	[ -z "$(procs_mentioning "$BUNDLE")" ]
}

@test "missing rootfs" {
	rm -rf "$BUNDLE/rootfs"
	expect_failure create --bundle "$BUNDLE" "$CID"
	expect_failure run --bundle "$BUNDLE" "$CID"
}

@test "empty args" {
	update_config '.process.args = []'
	expect_failure create --bundle "$BUNDLE" "$CID"
}

@test "executable not in the rootfs" {
	set_args /no/such/program
	expect_failure create --bundle "$BUNDLE" "$CID"
	set_args no-such-program-in-path
	expect_failure run --bundle "$BUNDLE" "$CID"
	# A file that is not executable.
	set_args /etc/passwd
	expect_failure run --bundle "$BUNDLE" "$CID"
}

@test "cwd that is not a directory, or relative" {
	update_config '.process.cwd = "/etc/passwd"'
	expect_failure run --bundle "$BUNDLE" "$CID"
	update_config '.process.cwd = "tmp"'
	expect_failure run --bundle "$BUNDLE" "$CID"
}

@test "a cwd that does not exist is made, as runc makes it (issue 18, item 9: kubelet's workingDir)" {
	update_config '.process.cwd = "/new/work/dir" | .root.readonly = true
		| .process.user = {uid: 1000, gid: 1000}'
	set_args sh -c 'pwd; stat -c "%a %u" /new/work/dir /new'
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	echo "$status $output $stderr" >&2
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = /new/work/dir ]
	# root's, 0755, made before the root became read-only, as runc's
	[ "${lines[1]}" = "755 0" ]
	[ "${lines[2]}" = "755 0" ]
	# a cwd that is a file is still one clear line
	touch "$BUNDLE/rootfs/afile"
	update_config '.process.cwd = "/afile"'
	expect_failure run --bundle "$BUNDLE" "$CID-2"
	is_runc || [[ "$stderr" == *"process.cwd"* ]]
}

@test "a mount that cannot be made fails create and leaves nothing" {
	add_mount '{"destination": "/mnt/x", "type": "nosuchfs", "source": "none"}'
	expect_failure create --bundle "$BUNDLE" "$CID"
	add_mount "$(jq -cn --arg s "$TESTDIR/no-such-source" \
		'{destination: "/mnt/y", type: "bind", source: $s, options: ["bind"]}')"
	expect_failure create --bundle "$BUNDLE" "$CID"
}

@test "--log with --log-format json writes a JSON error line" {
	run --separate-stderr "$BRIG" --root "$ROOT" --log "$TESTDIR/log.json" --log-format json state "$CID"
	[ "$status" -ne 0 ]
	[ -s "$TESTDIR/log.json" ]
	cat "$TESTDIR/log.json"
	local line
	line=$(grep '"level":"error"' "$TESTDIR/log.json" | tail -1)
	[ -n "$line" ]
	jq -e . <<<"$line"
	[ "$(jq -r .level <<<"$line")" = error ]
	[ -n "$(jq -r .msg <<<"$line")" ]
	[ "$(jq -r .time <<<"$line")" != null ]
	[[ $(jq -r .msg <<<"$line") == *"$CID"* ]] || [[ $(jq -r .msg <<<"$line") == *"not exist"* ]]
}

@test "--log with the text format writes the error to the file" {
	run --separate-stderr "$BRIG" --root "$ROOT" --log "$TESTDIR/log.txt" state "$CID"
	[ "$status" -ne 0 ]
	[ -s "$TESTDIR/log.txt" ]
	grep -q "$CID\|not exist" "$TESTDIR/log.txt"
}

@test "unknown command and unknown flag" {
	run --separate-stderr "$BRIG" --root "$ROOT" no-such-command
	[ "$status" -ne 0 ]
	run --separate-stderr "$BRIG" --root "$ROOT" create --no-such-flag "$CID"
	[ "$status" -ne 0 ]
	assert_nothing_left "$CID"
}

@test "--systemd-cgroup with no systemd to talk to: one line, nothing left" {
	# a bus nobody listens on, so a host booted with systemd fails too
	DBUS_SYSTEM_BUS_ADDRESS=unix:path=$TESTDIR/no-bus \
		expect_failure --systemd-cgroup run --bundle "$BUNDLE" "$CID"
	is_runc || [[ $stderr == *"cannot reach the system's systemd"* ]]
}

@test "a state too large for one message to the init fails create, nothing left" {
	is_runc && skip "brig's channel to its init"
	set_args true
	# the state (annotations included) goes to the init in one message,
	# larger than the socket's send buffer here: an error, never a hang
	head -c 300000 /dev/zero | tr '\0' a >"$TESTDIR/big"
	update_config --rawfile v "$TESTDIR/big" '.annotations = {big: $v}'
	run --separate-stderr timeout 20 "$BRIG" --root "$ROOT" create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ] && [ "$status" -ne 124 ]
	assert_error_line
	assert_nothing_left "$CID"
}
