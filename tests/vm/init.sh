#!/bin/busybox sh
# tests/vm/init.sh — /init of the VM test initramfs (busybox sh, PID 1).
#
# Stage 1 copies the initramfs into a tmpfs and switch_roots into it: the
# initial rootfs can never be pivot_root'ed away from, and brig pivots.
# Stage 2 mounts the pseudo filesystems (cgroup2 alone at /sys/fs/cgroup,
# securityfs), runs every /vm/cases/*.sh (except lib.sh) in name order
# under a timeout, prints TAP between the BRIG-VM-TAP-BEGIN/END markers on
# the serial console, and powers off. tests/vm/run reads the markers.
# Booted as the peer VM (brig.vm=peer: the second VM, for cases/migrate.sh)
# it runs no case: it answers the first VM's requests over the private
# link (tests/vm/peer.sh) until told bye, and powers off.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
CASE_TIMEOUT=120

if [ ! -e /.stage2 ]; then
	mkdir -p /newroot
	mount -t tmpfs -o mode=0755 tmpfs /newroot
	for e in /*; do
		case $e in
		/newroot | /proc | /sys | /dev) ;;
		*) cp -a "$e" /newroot/ ;;
		esac
	done
	mkdir -p /newroot/proc /newroot/sys /newroot/dev
	: >/newroot/.stage2
	exec switch_root /newroot /init
	echo "vm: switch_root failed"
	poweroff -f
fi

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /tmp /run
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t securityfs securityfs /sys/kernel/security
hostname brig-vm
# the loopback up, as on any booted system (criu's kernel probe connects
# to 127.0.0.1)
ip link set lo up
exec </dev/null >/dev/console 2>&1

# The private link between two VMs (tests/vm/run boots a second one when
# CRIU is there, for cases/migrate.sh): brig.vm=main or brig.vm=peer on
# the command line; virtio-net, 10.99.0.1 the first, 10.99.0.2 the peer.
# Without brig.vm the VM has no network card, as before.
ROLE=$(sed -n 's/.*brig\.vm=\([a-z]*\).*/\1/p' /proc/cmdline)
if [ -n "$ROLE" ]; then
	modprobe virtio_pci && modprobe virtio_net
	addr=10.99.0.1
	[ "$ROLE" = peer ] && addr=10.99.0.2
	for _ in $(seq 50); do
		dev=$(ls /sys/class/net | grep -vx lo | head -n 1)
		[ -n "$dev" ] && break
		sleep 0.1
	done
	if [ -n "$dev" ] && ip addr add $addr/24 dev "$dev" && ip link set "$dev" up; then
		echo "# link: $dev $addr"
	else
		echo "# link: no network device for $addr"
	fi
fi
if [ "$ROLE" = peer ]; then
	hostname brig-vm-peer
	# requests of cases/migrate.sh (tests/vm/peer.sh), until "bye"
	nc -ll -p 7000 -e /vm/peer &
	echo "BRIG-VM-PEER-READY"
	while [ ! -e /run/peer-done ]; do sleep 1; done
	sync
	poweroff -f
fi

export TAP_DIR=/run/vm-tap
mkdir -p $TAP_DIR
echo 0 >$TAP_DIR/n

# What a case must not leave behind: container state, cgroups, mounts.
leftovers() {
	# (the seccomp filter cache is brig's own and is meant to stay)
	ls -A /run/brig 2>/dev/null | grep -vx '.seccomp-cache' | sed 's|^|state: /run/brig/|'
	# (the shared parent /brig may stay, as runc's parents do)
	find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null |
		grep -v '^/sys/fs/cgroup/brig$' | sed 's|^|cgroup: |'
	sed 's|^|mount: |' /proc/mounts
}

echo "# kernel $(uname -r), $(grep -c . /proc/mounts) mounts, cgroup controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
echo "BRIG-VM-TAP-BEGIN"
only=$(sed -n 's/.*brig\.cases=\([^ ]*\).*/\1/p' /proc/cmdline)
for c in /vm/cases/*.sh; do
	CASE=$(basename "$c" .sh)
	[ "$CASE" = lib ] && continue
	case ",$only," in ,all,|,,|*",$CASE,"*) ;; *) continue ;; esac
	export CASE
	echo "# case $CASE (at $(cut -d" " -f1 /proc/uptime)s)"
	leftovers | sort >/run/before
	before=$(cat $TAP_DIR/n)
	rm -f $TAP_DIR/failed
	rc=0
	(cd /tmp && timeout -s KILL $CASE_TIMEOUT sh "$c") || rc=$?
	n=$(cat $TAP_DIR/n)
	if [ "$rc" -ne 0 ] && [ ! -s $TAP_DIR/failed ]; then
		n=$((n + 1))
		echo "not ok $n - $CASE: exited with status $rc without reporting a failure"
	elif [ "$n" -eq "$before" ]; then
		n=$((n + 1))
		echo "not ok $n - $CASE: reported no test"
	fi
	sleep 0.2
	leftovers | sort >/run/after
	n=$((n + 1))
	if cmp -s /run/before /run/after; then
		echo "ok $n - $CASE: left nothing behind"
	else
		echo "not ok $n - $CASE: left nothing behind"
		diff /run/before /run/after | grep '^[+-][^+-]' | sed 's/^/# /'
	fi
	echo $n >$TAP_DIR/n
done
echo "# cases done (at $(cut -d" " -f1 /proc/uptime)s)"
echo "1..$(cat $TAP_DIR/n)"
echo "BRIG-VM-TAP-END"
sync
poweroff -f
