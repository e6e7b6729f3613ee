#!/usr/bin/env bats
# The command line itself: `brig COMMAND --help`, `-h` and `brig help
# COMMAND` print that command's usage on stdout and exit 0, as runc's do;
# `brig help` and `brig --help` list the commands; an unknown command is one
# line on stderr and a non-zero exit (`brig help nosuch`: 3, as runc).

load helpers

# Every command of the table (runtime/cli.c); runc has all but logs and jail.
COMMANDS=(create start run state kill delete list spec logs jail update pause resume
	ps events exec features help)

setup() {
	TESTDIR=$(mktemp -d /tmp/brig-cli.XXXXXX)
	ROOT=$TESTDIR/root
}
teardown() { rm -rf "$TESTDIR"; }

runc_has() { ! is_runc || [[ $1 != logs && $1 != jail ]]; }

# assert_usage CMD — the last `run` printed CMD's usage and nothing else.
assert_usage() {
	echo "status=$status stdout=$output stderr=$stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ -n "$output" ]
	is_runc && return 0
	[[ ${lines[0]} == "usage: brig $1"* ]]
}

@test "every command: --help prints its usage and exits 0" {
	for cmd in "${COMMANDS[@]}"; do
		runc_has "$cmd" || continue
		run --separate-stderr brig "$cmd" --help
		assert_usage "$cmd"
	done
}

@test "every command: -h prints its usage and exits 0" {
	for cmd in "${COMMANDS[@]}"; do
		runc_has "$cmd" || continue
		run --separate-stderr brig "$cmd" -h
		assert_usage "$cmd"
	done
}

@test "every command: help COMMAND prints the same usage as COMMAND --help" {
	for cmd in "${COMMANDS[@]}"; do
		runc_has "$cmd" || continue
		run --separate-stderr brig "$cmd" --help
		local want=$output
		run --separate-stderr brig help "$cmd"
		assert_usage "$cmd"
		[ "$output" = "$want" ]
	done
}

@test "help needs no state root and creates none" {
	run --separate-stderr brig run --help
	assert_usage run
	[ ! -e "$ROOT" ]
}

@test "--help after the options or the id, as runc; not in a command line" {
	run --separate-stderr brig run -b /nonexistent --help
	assert_usage run
	run --separate-stderr brig kill "$(basename "$TESTDIR")" --help
	assert_usage kill
	run --separate-stderr brig delete "$(basename "$TESTDIR")" -h
	assert_usage delete
	# exec's and ps's operands after the id are the process's own
	run --separate-stderr brig exec nosuch-cli sh -h
	[ "$status" -ne 0 ]
	[ -z "$output" ]
	assert_error_line
	# an option's argument is not an option: -e takes "-h"
	run --separate-stderr brig exec -e -h nosuch-cli
	[ "$status" -ne 0 ]
	assert_error_line
}

@test "brig help and brig --help list every command, exit 0" {
	for how in help --help -h; do
		run --separate-stderr brig $how
		echo "$how: status=$status stderr=$stderr"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		for cmd in "${COMMANDS[@]}"; do
			runc_has "$cmd" || continue
			grep -qE "^ +$cmd\b" <<<"$output"
		done
	done
}

@test "help of an unknown command: one line, exit 3 (as runc)" {
	run --separate-stderr brig help nosuch
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	assert_error_line
	is_runc || [[ $stderr == *'"nosuch"'* ]]
}

@test "an unknown command: one line, non-zero" {
	run --separate-stderr brig nosuch
	[ "$status" -ne 0 ]
	[ -z "$output" ]
	assert_error_line
}

@test "no command: the command list on stderr, exit 1" {
	is_runc && skip "runc prints its help and exits 0"
	run --separate-stderr brig
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ $stderr == "usage: brig"* ]]
}
