#!/usr/bin/env bats
# Services: `spec --service` (Docker's default capabilities).  brig's own
# (runc has no --service): skipped under BRIG=runc.

load helpers

setup() {
	is_runc && skip "brig's own commands"
	setup_bundle
}

teardown() { teardown_bundle; }

# ---- spec --service ---------------------------------------------------------

@test "spec --service: Docker's default capabilities; plain spec is unchanged" {
	local want='["CAP_AUDIT_WRITE","CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_MKNOD","CAP_NET_BIND_SERVICE","CAP_NET_RAW","CAP_SETFCAP","CAP_SETGID","CAP_SETPCAP","CAP_SETUID","CAP_SYS_CHROOT"]'
	mkdir "$TESTDIR/svc" "$TESTDIR/plain"
	"$BRIG" spec --service --bundle "$TESTDIR/svc"
	"$BRIG" spec --bundle "$TESTDIR/plain"
	for set in bounding effective permitted; do
		[ "$(jq -c ".process.capabilities.$set | sort" "$TESTDIR/svc/config.json")" = "$want" ]
		[ "$(jq -c ".process.capabilities.$set" "$TESTDIR/plain/config.json")" = \
			'["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]' ]
	done
	# nothing else differs
	diff <(jq 'del(.process.capabilities)' "$TESTDIR/plain/config.json") \
		<(jq 'del(.process.capabilities)' "$TESTDIR/svc/config.json")
}

@test "spec --service: root in the container can chown (Debian's nginx does), with plain spec it cannot" {
	local caps
	caps=$(cd "$TESTDIR" && mkdir s && "$BRIG" spec --service -b s && jq -c .process.capabilities s/config.json)
	set_args sh -c 'touch /tmp/f && chown 1000:1000 /tmp/f && stat -c %u:%g /tmp/f'
	update_config '.root.readonly = false'
	run brig run --bundle "$BUNDLE" "$CID-plain"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Operation not permitted"* ]]
	update_config --argjson c "$caps" '.process.capabilities = $c'
	run brig run --bundle "$BUNDLE" "$CID-svc"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 1000:1000 ]
}
