#!/bin/sh
# spec/embed.sh NAME INPUT OUTPUT — write a C header defining
# `static const char NAME[]` holding INPUT's text, comments and blank lines
# left out.  Used by the build to embed data files (the default seccomp
# profile) so that their source stays readable text.
set -eu
name=$1 in=$2 out=$3
{
	echo "/* generated from $(basename "$in") by spec/embed.sh: do not edit */"
	echo "static const char $name[] ="
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' \
		-e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$in"
	printf '\t"";\n'
} >"$out.tmp"
mv "$out.tmp" "$out"
