# criu-tty — brig checkpoint and restore of a container with a terminal
# (process.terminal, its master sent to --console-socket), as Docker,
# Podman and containerd run `-t` containers: the restored process gets a
# new terminal whose master goes to restore's --console-socket; it counts
# on, reads what is typed there, answers there, and keeps its
# controlling terminal.
. "$(dirname "$0")/lib.sh"

B=/tmp/criu-tty
IMG=/tmp/criu-tty-img
S=/tmp/criu-tty-sock

if ! command -v criu >/dev/null || ! command -v recvtty >/dev/null; then
	skip "checkpoint and restore with a terminal" "no criu or recvtty in the VM"
	exit 0
fi
trap 'cleanup_ctr tt-a tt-b tt-c tt-d; kill $R1 $R2 2>/dev/null; rm -rf $B $IMG $S.* /tmp/criu-tty.*' EXIT
make_bundle $B && update_config $B '.root.readonly = false | .process.terminal = true' &&
	set_sh $B '(i=0; while :; do i=$((i + 1)); echo $i >/count.new; mv /count.new /count; usleep 50000; done) &
while read l; do echo "got:$l"; done' || {
	not_ok "make a bundle with a terminal"
	exit 1
}
count() { count_in $B; }

# recvtty_on SOCK OUT [INPUT] — take a terminal's master at SOCK (in the
# background: $!), copy what the container writes to OUT
recvtty_on() {
	rm -f "$1"
	if [ -n "${3:-}" ]; then
		recvtty -t 60 -i "$3" "$1" >"$2" 2>&1 &
	else
		recvtty -t 60 "$1" >"$2" 2>&1 &
	fi
	for _ in $(seq 50); do
		[ -S "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

recvtty_on $S.1 /tmp/criu-tty.1
R1=$!
out=$(brig run -d --console-socket $S.1 --bundle $B tt-a 2>&1) && wait_count_in $B 5
check "a container with a terminal runs, counting" test "$(count)" -ge 5 || diag "$out"

out=$(brig checkpoint --image-path $IMG tt-a 2>&1)
rc=$?
c=$(count)
if [ $rc -eq 0 ] && grep -q '"tty\[' $IMG/stdio.json; then
	ok "checkpoint: its terminal is an external tty of CRIU's, saved in stdio.json (count $c)"
else
	not_ok "checkpoint of a container with a terminal" "status $rc: $out" \
		"$(grep -h Error $IMG/*.log 2>/dev/null | tail -5)"
fi

# restore into a bundle without a terminal: refused, nothing left
update_config $B '.process.terminal = false'
out=$(brig restore -d --bundle $B --image-path $IMG tt-c 2>&1)
rc=$?
if [ $rc -ne 0 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q terminal &&
	! "$BRIG_BIN" state tt-c >/dev/null 2>&1; then
	ok "restore into a bundle whose process.terminal is false: one line, nothing left"
else
	not_ok "restore into a bundle without a terminal is refused" "status $rc: $out"
fi
update_config $B '.process.terminal = true'

recvtty_on $S.2 /tmp/criu-tty.2 "hello
"
R2=$!
out=$(brig restore -d --console-socket $S.2 --bundle $B --image-path $IMG tt-b 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$(state_field tt-b status)" = running ] && wait_count_in $B $((c + 3)); then
	ok "restore with --console-socket: the count goes on from $c ($(count) now)"
else
	not_ok "restore with --console-socket: the count goes on" "status $rc: $out" \
		"$(grep -h Error $IMG/*.log 2>/dev/null | tail -5)"
fi
for _ in $(seq 100); do
	grep -q 'got:hello' /tmp/criu-tty.2 && break
	sleep 0.1
done
check "the new terminal: what is typed reaches the restored process, its answer comes back" \
	grep -q 'got:hello' /tmp/criu-tty.2 || diag "$(cat /tmp/criu-tty.2)"
# field 7 of /proc/PID/stat: the controlling terminal (0: none)
tty_nr=$(brig exec tt-b cat /proc/1/stat 2>/dev/null | sed 's/.*) //' | cut -d' ' -f5)
check "the restored init keeps a controlling terminal (tty_nr $tty_nr)" \
	test -n "$tty_nr" -a "${tty_nr:-0}" != 0
cleanup_ctr tt-b

# restore in the foreground, no --console-socket: brig copies between its
# own stdio and the new terminal's master, as run does
printf 'again\n' >/tmp/criu-tty.in
brig restore --bundle $B --image-path $IMG tt-d </tmp/criu-tty.in >/tmp/criu-tty.3 2>&1 &
FG=$!
for _ in $(seq 100); do
	grep -q 'got:again' /tmp/criu-tty.3 && break
	sleep 0.1
done
check "restore in the foreground with a terminal: brig copies to and from it" \
	grep -q 'got:again' /tmp/criu-tty.3 || diag "$(cat /tmp/criu-tty.3)"
cleanup_ctr tt-d
for _ in $(seq 100); do
	kill -0 $FG 2>/dev/null || break
	sleep 0.1
done
if kill -0 $FG 2>/dev/null; then
	not_ok "restore in the foreground ends when its container is killed"
	diag "$(ps -o pid,ppid,stat,args; cat /proc/$FG/wchan; ls -l /proc/$FG/fd)"
	kill -9 $FG
else
	ok "restore in the foreground ends when its container is killed"
fi
wait $FG 2>/dev/null || : # its status: the container's, killed
