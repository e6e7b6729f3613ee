#!/bin/busybox sh
# tests/vm/peer.sh — the second VM's end of the private link between the
# two VMs of tests/vm/run (cases/migrate.sh, a container migrated from the
# first VM to the second). /init of the second VM (brig.vm=peer) serves
# it on TCP port 7000 of 10.99.0.2 with busybox nc -ll -e: one connection,
# one request, named by its first line; the rest of the stream is its
# input, the answer goes back on the connection.
#
#   put DIR   the rest is a tar stream, unpacked into DIR (made if
#             missing); answers "put STATUS"
#   run       the rest is a shell script, run by sh; answers its output
#             (stderr too), then "rc STATUS"
#   bye       the VM powers off (/init waits for /run/peer-done)
#
# Only the first VM reaches it: the link is a qemu datagram socket between
# the two qemu processes, nothing on the host.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
read -r cmd arg
case $cmd in
put)
	mkdir -p "$arg" && tar -xf - -C "$arg" 2>&1
	echo "put $?"
	;;
run)
	job=$(mktemp /run/peer-job.XXXXXX)
	cat >"$job"
	(cd /tmp && sh "$job" 2>&1)
	rc=$?
	rm -f "$job"
	echo "rc $rc"
	;;
bye)
	: >/run/peer-done
	echo bye
	;;
*)
	echo "unknown request '$cmd'"
	;;
esac
