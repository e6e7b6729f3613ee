#!/usr/bin/env bats
# The man pages (docs/brig.8.md, docs/brig-<command>.8.md) and the README:
# a page for every command brig dispatches and every option it parses,
# each page converted by go-md2man and rendered by man without a warning.
#
# go-md2man and man-db come from scripts/deps; without them the tests
# that need them skip.

load helpers

DOCS=$REPO/docs

# The commands of brig's dispatch table: each row that pairs a "name" with
# its handler cmd_name, whatever stands between them ({"create",
# cmd_create} or {"create", &opts, "summary", usage, cmd_create, ...}).
# help is brig.8's (brig help).
dispatched() {
	perl -0777 -ne 'while (/\{\s*"([a-z][a-z-]*)"\s*,[^{}]*?\bcmd_(\w+)/g) {
		print "$1\n" if $1 eq $2 && $1 ne "help" }' "$REPO"/runtime/*.c | sort -u
}

# The long options of every getopt_long table in runtime/*.c.
long_options() {
	grep -ohE '\{[[:space:]]*"[a-z][a-z0-9-]*"[[:space:]]*,[[:space:]]*(no|required|optional)_argument' \
		"$REPO"/runtime/*.c | sed -E 's/^\{[[:space:]]*"([^"]+)".*/\1/' | sort -u
}

pages() { ls "$DOCS"/brig.8.md "$DOCS"/brig-*.8.md; }

@test "docs: every command brig dispatches has a man page, every page a command" {
	local cmds n cmd page name
	cmds=$(dispatched)
	n=$(wc -w <<<"$cmds")
	echo "commands found: $cmds"
	# a change of the table's form must not pass this test by finding nothing
	[ "$n" -ge 15 ] || {
		echo "found only $n commands in runtime/*.c: did the command table change form? update dispatched()"
		return 1
	}
	for cmd in $cmds; do
		[ -f "$DOCS/brig-$cmd.8.md" ] || {
			echo "no docs/brig-$cmd.8.md for the command $cmd"
			return 1
		}
		# and brig.8 lists it
		grep -qE "^(\*\*[a-z ]+\*\*, )*\*\*$cmd( [a-z]+)?\*\*" "$DOCS/brig.8.md" || {
			echo "docs/brig.8.md does not list $cmd"
			return 1
		}
	done
	for page in "$DOCS"/brig-*.8.md; do
		name=${page##*/brig-}
		name=${name%.8.md}
		grep -qx "$name" <<<"$cmds" || {
			echo "$page: no command $name in brig's dispatch table"
			return 1
		}
		# the binary knows it too
		run "$BRIG" --root "$BATS_TEST_TMPDIR/root" "$name" --no-such-option
		[[ $output != *"unknown command"* ]] || {
			echo "$page: brig says: $output"
			return 1
		}
	done
	# meson builds and installs every page
	for page in $(pages); do
		name=${page##*/}
		grep -q "'${name%.8.md}'" "$DOCS/meson.build" || {
			echo "docs/meson.build does not build $name"
			return 1
		}
	done
}

@test "docs: every option brig parses is in a man page" {
	local opts n opt missing=()
	opts=$(long_options)
	n=$(wc -w <<<"$opts")
	[ "$n" -ge 50 ] || {
		echo "found only $n long options in runtime/*.c: update long_options()"
		return 1
	}
	for opt in $opts; do
		grep -qF -- "**--$opt**" $(pages) || missing+=("--$opt")
	done
	[ ${#missing[@]} -eq 0 ] || {
		echo "options without a page: ${missing[*]}"
		return 1
	}
}

@test "docs: every page has the sections of a man page" {
	local page section
	for page in $(pages); do
		head -n 1 "$page" | grep -qE '^% brig(-[a-z]+)? "8"$' || {
			echo "$page: no '% name \"8\"' title line"
			return 1
		}
		for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
			grep -qE "^# ([A-Z]+ )?$section\$" "$page" || {
				echo "$page: no $section section"
				return 1
			}
		done
	done
}

@test "docs: each page converts with go-md2man without a warning" {
	command -v go-md2man >/dev/null || skip "go-md2man is not installed (scripts/deps)"
	local page out
	for page in $(pages); do
		out=$(go-md2man -in "$page" -out "$BATS_TEST_TMPDIR/page.8" 2>&1)
		[ -z "$out" ] || {
			echo "$page: $out"
			return 1
		}
		grep -q '^\.TH ' "$BATS_TEST_TMPDIR/page.8"
	done
}

@test "docs: man -l renders each page without a warning" {
	command -v go-md2man >/dev/null || skip "go-md2man is not installed (scripts/deps)"
	command -v man >/dev/null || skip "man is not installed (man-db, scripts/deps)"
	local page name warn
	for page in $(pages); do
		name=${page##*/}
		name=${name%.8.md}
		go-md2man -in "$page" -out "$BATS_TEST_TMPDIR/$name.8"
		warn=$(MANWIDTH=80 man --warnings -l "$BATS_TEST_TMPDIR/$name.8" 2>&1 >"$BATS_TEST_TMPDIR/$name.txt")
		[ -z "$warn" ] || {
			echo "$page: $warn"
			return 1
		}
		grep -q "^NAME" "$BATS_TEST_TMPDIR/$name.txt"
		grep -q "^ *$name - " "$BATS_TEST_TMPDIR/$name.txt"
	done
}

@test "docs: the README is at most 250 lines, and every command in it has a page" {
	local n cmd
	n=$(wc -l <"$REPO/README.md")
	[ "$n" -le 250 ] || {
		echo "README.md has $n lines"
		return 1
	}
	# `brig <command>` in the README's code (``` blocks and `...`): a
	# command with a page
	for cmd in $(awk '/^```/ { code = !code; next }
			code && /^brig [a-z]/ { print $2 }
			!code { while (match($0, /`brig [a-z]+/)) {
				print substr($0, RSTART + 6, RLENGTH - 6); $0 = substr($0, RSTART + RLENGTH) } }' \
			"$REPO/README.md" | sort -u); do
		[ -f "$DOCS/brig-$cmd.8.md" ] || {
			echo "README.md runs brig $cmd, which has no page"
			return 1
		}
	done
}

@test "docs: every relative link in README.md and docs/*.md resolves" {
	local f link target bad=0
	for f in "$REPO/README.md" "$DOCS"/*.md; do
		# [text](target): skip URLs and in-page anchors; drop #anchor
		while IFS= read -r link; do
			case $link in http://* | https://* | mailto:* | '#'*) continue ;; esac
			target=${link%%#*}
			if [ ! -e "$(dirname "$f")/$target" ]; then
				echo "${f#"$REPO"/}: link to $link: no such file"
				bad=1
			fi
		done < <(grep -o '\](\([^)]*\))' "$f" | sed 's/^](//; s/)$//')
	done
	[ "$bad" -eq 0 ]
}
