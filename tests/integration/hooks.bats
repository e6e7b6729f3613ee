#!/usr/bin/env bats
# OCI hooks: order, state on stdin, args and env, failure and timeout.

load helpers

setup() {
	setup_bundle
	# The hook directory has the same path on the host and in the container,
	# so runtime-namespace and container-namespace hooks write the same files.
	HK=$TESTDIR/hk
	mkdir -m 777 "$HK"
	add_mount "$(jq -cn --arg s "$HK" '{destination: $s, type: "bind", source: $s, options: ["rbind", "rw"]}')"
}
teardown() { teardown_bundle; }

# hook NAME — a hook entry that logs NAME, saves its stdin, its $1 and env.
hook() {
	jq -cn --arg n "$1" --arg hk "$HK" '{
		path: "/bin/sh",
		args: ["sh", "-c",
			"echo \($n) >>\($hk)/log; cat >\($hk)/\($n).json; echo \"$1 $HOOKVAR\" >\($hk)/\($n).args",
			"hook-\($n)", "first-\($n)"],
		env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOOKVAR=v-\($n)"]
	}'
}

all_hooks() {
	local h
	for h in prestart createRuntime createContainer startContainer poststart poststop; do
		update_config --arg h "$h" --argjson e "$(hook "$h")" '.hooks[$h] = [$e]'
	done
}

@test "all six hooks run in order, with the state on stdin" {
	all_hooks
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	echo "$stderr"
	[ "$status" -eq 0 ]
	cat "$HK/log"
	[ "$(tr '\n' ' ' <"$HK/log")" = "prestart createRuntime createContainer startContainer poststart poststop " ]
	local h
	for h in prestart createRuntime createContainer startContainer poststart poststop; do
		echo "$h: $(cat "$HK/$h.json")"
		[ "$(jq -r .id "$HK/$h.json")" = "$CID" ]
		[ "$(realpath "$(jq -r .bundle "$HK/$h.json")")" = "$(realpath "$BUNDLE")" ]
		[[ $(jq -r .ociVersion "$HK/$h.json") == 1.* ]]
		[[ $(jq -r .status "$HK/$h.json") =~ ^(creating|created|running|stopped)$ ]]
	done
	[ "$(jq -r .status "$HK/startContainer.json")" = created ]
	[ "$(jq -r .status "$HK/poststart.json")" = running ]
	[ "$(jq -r .status "$HK/poststop.json")" = stopped ]
	[ "$(jq -r .pid "$HK/poststart.json")" -gt 0 ]
}

@test "hooks get their args and env" {
	all_hooks
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	local h
	for h in prestart createRuntime createContainer startContainer poststart poststop; do
		[ "$(cat "$HK/$h.args")" = "first-$h v-$h" ]
	done
}

@test "hooks run at their lifecycle step: create, start, delete" {
	all_hooks
	share_dir
	set_args sh -c 'echo up >/shared/up; exec sleep 100'
	create_ctr "$CID"
	cat "$HK/log"
	[ "$(tr '\n' ' ' <"$HK/log")" = "prestart createRuntime createContainer " ]
	brig start "$CID"
	wait_file "$SHARED/up"
	[ "$(tr '\n' ' ' <"$HK/log")" = "prestart createRuntime createContainer startContainer poststart " ]
	brig kill "$CID" KILL
	wait_status "$CID" stopped
	[ ! -e "$HK/poststop.json" ]
	brig delete "$CID"
	[ "$(tail -1 "$HK/log")" = poststop ]
	[ "$(jq -r .id "$HK/poststop.json")" = "$CID" ]
}

@test "createContainer runs in the container's namespaces, createRuntime in the host's" {
	update_config --arg hk "$HK" '.hooks.createRuntime = [{path: "/bin/sh",
			args: ["sh", "-c", "for n in mnt uts; do readlink /proc/self/ns/$n; done >\($hk)/rt.ns"]}]
		| .hooks.createContainer = [{path: "/bin/sh",
			args: ["sh", "-c", "for n in mnt uts; do readlink /proc/self/ns/$n; done >\($hk)/cc.ns"]}]'
	set_args sh -c 'for n in mnt uts; do readlink /proc/self/ns/$n; done'
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	[ "$(cat "$HK/rt.ns")" = "$(readlink /proc/self/ns/mnt /proc/self/ns/uts)" ]
	[ "$(cat "$HK/cc.ns")" = "$output" ]
	[ "$output" != "$(cat "$HK/rt.ns")" ]
}

@test "a failing createRuntime hook fails create and leaves nothing" {
	update_config --argjson p "$(hook prestart)" --arg hk "$HK" '
		.hooks.prestart = [$p]
		| .hooks.createRuntime = [{path: "/bin/sh", args: ["sh", "-c", "echo failing >>\($hk)/log; exit 3"]}]
		| .hooks.startContainer = [{path: "/bin/sh", args: ["sh", "-c", "echo startContainer >>\($hk)/log"]}]'
	share_dir
	set_args sh -c 'echo ran >/shared/ran'
	run --separate-stderr brig create --bundle "$BUNDLE" "$CID"
	echo "$stderr"
	[ "$status" -ne 0 ]
	[ -n "$stderr" ]
	[ "$(head -2 "$HK/log" | tr '\n' ' ')" = "prestart failing " ]
	! grep -q startContainer "$HK/log" || false
	run brig state "$CID"
	[ "$status" -ne 0 ]
	[ -z "$(brig list -q)" ]
	[ ! -e "$SHARED/ran" ]
	assert_nothing_left "$CID"

	# run fails the same way.
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[ ! -e "$SHARED/ran" ]
	assert_nothing_left "$CID"
}

@test "a hook that outlives its timeout is killed and fails create" {
	# The hook is sleep itself, called through a link named after the
	# container so that assert_nothing_left finds it if it survived.
	ln -s "$(command -v sleep)" "$TESTDIR/$CID-hook"
	update_config --arg p "$TESTDIR/$CID-hook" '.hooks.createRuntime = [{path: $p,
		args: [$p, "30"], timeout: 1}]'
	local t0=$SECONDS
	run --separate-stderr brig create --bundle "$BUNDLE" "$CID"
	echo "$stderr"
	echo "took $((SECONDS - t0)) s"
	[ "$status" -ne 0 ]
	[ $((SECONDS - t0)) -le 5 ]
	run brig state "$CID"
	[ "$status" -ne 0 ]
	assert_nothing_left "$CID"
}

@test "a failing poststart hook is a warning: the container runs on" {
	# runtime.md: a failing poststart hook MUST be logged as a warning, and
	# the lifecycle continues as if it had succeeded.
	share_dir
	update_config '.hooks.poststart = [{path: "/bin/false"}]'
	set_args sh -c 'sleep 0.2; echo up >/shared/up; exit 6'
	run --separate-stderr brig run --bundle "$BUNDLE" "$CID"
	echo "$stderr"
	[ "$status" -eq 6 ]
	[ -e "$SHARED/up" ]
	assert_nothing_left "$CID"
}
