#!/usr/bin/env bats
# Load and concurrency (issue 8): many containers through their lifecycle
# in parallel, one id raced by concurrent creates, `list` while containers
# come and go; then nothing may be left. Run with `scripts/test load`.
#   LOAD_N (default 200) containers, LOAD_P (default 8) workers.

load ../integration/helpers

setup() {
	setup_bundle
	share_dir
}
teardown() { teardown_bundle; }

# leaks PREFIX — "cgroups mounts processes statedirs" left for PREFIX.
leaks() {
	local cg mnt procs dirs
	cg=$(cgroups_named "$1" | wc -l)
	mnt=$(mounts_mentioning "$TESTDIR" | wc -l)
	procs=$(procs_mentioning "$1" | wc -l)
	dirs=$(find "$ROOT" -mindepth 1 -maxdepth 1 -name "$1*" 2>/dev/null | wc -l)
	echo "$cg $mnt $procs $dirs"
}

# one container's lifecycle: create, start, wait for it to stop, delete.
lifecycle() {
	local id=$1 i s
	brig create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>"$TESTDIR/$id.err" || return 1
	brig start "$id" 2>>"$TESTDIR/$id.err" || return 1
	for i in $(seq 500); do
		s=$(brig state "$id" 2>/dev/null | jq -r .status)
		[ "$s" = stopped ] && break
		sleep 0.02
	done
	[ "$s" = stopped ] || { echo "$id: status $s" >>"$TESTDIR/$id.err"; return 1; }
	brig delete "$id" 2>>"$TESTDIR/$id.err" && rm -f "$TESTDIR/$id.err"
}
export -f lifecycle brig
export BRIG BRIG_TIMEOUT

@test "LOAD_N containers created, started and deleted by LOAD_P workers, list meanwhile" {
	local n=${LOAD_N:-200} p=${LOAD_P:-8} t0 secs lists bad left
	# each container leaves one file behind: proof that it ran
	set_args sh -c 'mktemp -p /shared ran.XXXXXX >/dev/null'
	# `list` in a loop while containers come and go: every output parses
	# and every entry has an id and a status
	(
		i=0
		while [ ! -e "$TESTDIR/stop-list" ]; do
			brig list --format json >"$TESTDIR/list.$i.json" 2>"$TESTDIR/list.$i.err"
			i=$((i + 1))
		done
	) &
	local lister=$!
	t0=$(date +%s.%N)
	run bash -c "seq -f '$CID-%g' $n | xargs -P$p -I{} bash -c 'lifecycle {}'"
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	touch "$TESTDIR/stop-list"
	wait "$lister"
	echo "# $n containers by $p workers: ${secs} s, status $status" >&3
	cat "$TESTDIR"/"$CID"-*.err 2>/dev/null | head -20 >&3 || true
	[ "$status" -eq 0 ]
	[ "$(find "$SHARED" -name 'ran.*' | wc -l)" -eq "$n" ]
	lists=0 bad=0
	for f in "$TESTDIR"/list.*.json; do
		lists=$((lists + 1))
		jq -e 'type == "array" and all(.[]; (.id | type) == "string" and (.status | type) == "string")' \
			"$f" >/dev/null || { bad=$((bad + 1)); echo "# bad list output: $(head -c 300 "$f")" >&3; }
	done
	echo "# list ran $lists times meanwhile, $bad bad outputs" >&3
	[ "$lists" -gt 0 ]
	[ "$bad" -eq 0 ]
	left=$(leaks "$CID")
	echo "# left (cgroups mounts processes statedirs): $left" >&3
	[ "$left" = "0 0 0 0" ]
}

@test "the same id raced by 8 concurrent creates: one wins, state is never corrupt" {
	local round ok fails rounds=${LOAD_RACE_ROUNDS:-20} id k left
	set_args sleep 100
	for round in $(seq "$rounds"); do
		id=$CID-race-$round
		for k in 1 2 3 4 5 6 7 8; do
			brig create --bundle "$BUNDLE" "$id" </dev/null >/dev/null \
				2>"$TESTDIR/race.$k.err" &
		done
		ok=0 fails=0
		for k in 1 2 3 4 5 6 7 8; do
			wait -n && ok=$((ok + 1)) || fails=$((fails + 1))
		done
		echo "# round $round: $ok won, $fails refused" >&2
		[ "$ok" -eq 1 ]
		for k in 1 2 3 4 5 6 7 8; do
			[ -s "$TESTDIR/race.$k.err" ] || continue
			grep -q "^brig: container \"$id\" already exists$" "$TESTDIR/race.$k.err" ||
				{ cat "$TESTDIR/race.$k.err" >&2; false; }
		done
		brig state "$id" | jq -e '.status == "created" and .pid > 0' >/dev/null
		jq -e '.status == "created"' "$ROOT/$id/state.json" >/dev/null
		brig delete --force "$id"
	done
	left=$(leaks "$CID")
	echo "# $rounds rounds of 8 creates of one id: 1 winner each; left (cgroups mounts processes statedirs): $left" >&3
	[ "$left" = "0 0 0 0" ]
}
