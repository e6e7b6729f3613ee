# tests/compat/cri/cri.bash — a private containerd with its CRI plugin on,
# for tests/compat/cri.bats and tests/compat/cri/capture.  Needs
# tests/compat/compat.bash and tests/integration/helpers.bash loaded first.
#
# Everything lives under one directory CD=/tmp/brig-cri.XXXXXX: containerd's
# config, root, state (and so the pods' network namespaces:
# netns_mounts_under_state_dir), socket, the runtimes' state roots, the CNI
# config and host-local's leases, the pods' logs.  Its basename CG is the
# pods' cgroup parent.  The pods' network is a bridge of the test's own,
# bcriN with 10.232.N.0/24 (N is claimed by creating the bridge; a bridge
# left by someone else only makes us take the next N), no gateway, no
# masquerading: no iptables rule, no sysctl of the host is touched.
#
# Runtime handlers: `brig` (the runc v2 shim with BinaryName = $BRIG),
# `runc` (/usr/sbin/runc), and with CRI_CAPTURE_BIN set `capture` (the
# shim runs that program).

CRI_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CRI_IMG=docker.io/brigcompat/busybox:latest
CRI_PAUSE=docker.io/brigcompat/pause:latest
CRI_CONTAINERD=/usr/bin/containerd
CRI_CTR=/usr/bin/ctr
CRI_PYTHON=/usr/bin/python3

# cri ARGS... — tests/compat/cri/cri.py against the private containerd.
cri() { timeout -k 5 150 "$CRI_PYTHON" "$CRI_LIB/cri.py" -s "$CD/containerd.sock" "$@" </dev/null; }
# cri_in FILE ARGS... — the same with FILE on standard input.
cri_in() {
	local f=$1
	shift
	timeout -k 5 150 "$CRI_PYTHON" "$CRI_LIB/cri.py" -s "$CD/containerd.sock" "$@" <"$f"
}

# ctrk ARGS... — ctr in the CRI plugin's namespace.
ctrk() { timeout -k 5 60 "$CRI_CTR" -a "$CD/containerd.sock" -n k8s.io "$@" </dev/null; }

# cri_missing — why this machine cannot run the suite (empty: it can).
cri_missing() {
	local f
	for f in "$CRI_CONTAINERD" "$CRI_CTR" /usr/bin/containerd-shim-runc-v2 \
		/usr/lib/cni/bridge /usr/lib/cni/host-local /usr/lib/cni/loopback /usr/bin/protoc; do
		[ -x "$f" ] || {
			echo "$f is missing (scripts/deps compat)"
			return
		}
	done
	"$CRI_PYTHON" -c 'import grpc, google.protobuf' 2>/dev/null ||
		echo "python3-grpcio or python3-protobuf is missing (scripts/deps compat)"
}

# cri_claim_net — create the bridge bcriN for the first free N and set
# CRI_BRIDGE, CRI_SUBNET, CRI_NET (the first three octets).
cri_claim_net() {
	local n start=$((RANDOM % 250 + 1)) i
	for i in $(seq 0 249); do
		n=$(((start + i) % 250 + 1))
		if ip link add name "bcri$n" type bridge 2>/dev/null; then
			ip link set "bcri$n" up
			CRI_BRIDGE=bcri$n CRI_NET=10.232.$n CRI_SUBNET=10.232.$n.0/24
			echo "$CRI_BRIDGE" >"$CD/bridge"
			export CRI_BRIDGE CRI_NET CRI_SUBNET
			return 0
		fi
	done
	echo "no free bcriN bridge name" >&2
	return 1
}

# cri_systemd — true with COMPAT_CGROUP=systemd: the runc v2 shim runs the
# runtime with --systemd-cgroup, the pods' cgroup parent is a slice
# (brigcri.slice), as kubelet's systemd driver has it.
cri_systemd() {
	if [ "${COMPAT_CGROUP:-}" = systemd ]; then echo true; else echo false; fi
}

# cri_write_config — containerd's config.toml and the CNI network.
cri_write_config() {
	local capture=
	if [ -n "${CRI_CAPTURE_BIN:-}" ]; then
		capture="
    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.capture]
      runtime_type = \"io.containerd.runc.v2\"
      [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.capture.options]
        BinaryName = \"$CRI_CAPTURE_BIN\"
        Root = \"$CD/rt-capture\"
        SystemdCgroup = $(cri_systemd)"
	fi
	mkdir -p "$CD/cni" "$CD/logs"
	cat >"$CD/config.toml" <<-EOF
		version = 2
		root = "$CD/root"
		state = "$CD/state"
		disabled_plugins = ["io.containerd.internal.v1.opt",
		  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.tracing.processor.v1.otlp"]
		[grpc]
		  address = "$CD/containerd.sock"
		[ttrpc]
		  address = "$CD/containerd.sock.ttrpc"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$CRI_PAUSE"
		  restrict_oom_score_adj = true
		  netns_mounts_under_state_dir = true
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
		  enable_selinux = false
		  systemd_cgroup = false
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    snapshotter = "overlayfs"
		    default_runtime_name = "runc"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.brig]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.brig.options]
		        BinaryName = "$BRIG"
		        Root = "$CD/rt-brig"
		        SystemdCgroup = $(cri_systemd)
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		        BinaryName = "$(command -v runc || echo /usr/sbin/runc)"
		        Root = "$CD/rt-runc"
		        SystemdCgroup = $(cri_systemd)$capture
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$CD/cni"
		    max_conf_num = 1
	EOF
	cat >"$CD/cni/10-brigcri.conflist" <<-EOF
		{
		  "cniVersion": "0.4.0",
		  "name": "$CRI_BRIDGE",
		  "plugins": [{
		    "type": "bridge",
		    "bridge": "$CRI_BRIDGE",
		    "isGateway": false,
		    "isDefaultGateway": false,
		    "ipMasq": false,
		    "hairpinMode": false,
		    "ipam": {
		      "type": "host-local",
		      "ranges": [[{"subnet": "$CRI_SUBNET"}]],
		      "dataDir": "$CD/ipam"
		    }
		  }]
		}
	EOF
}

# cri_start — start containerd on the config, wait for the CRI plugin's
# RuntimeReady and NetworkReady (up to 30 s).
cri_start() {
	"$CRI_CONTAINERD" --config "$CD/config.toml" --log-level warn >>"$CD/containerd.log" 2>&1 &
	echo $! >"$CD/containerd.pid"
	local i out
	for i in $(seq 300); do
		out=$(cri status 2>/dev/null) &&
			[[ $out == *RuntimeReady=true* && $out == *NetworkReady=true* ]] && return 0
		sleep 0.1
	done
	echo "containerd's CRI plugin is not ready: $out" >&2
	tail -20 "$CD/containerd.log" >&2
	return 1
}

# cri_stop — SIGTERM to containerd (the shims and pods stay).
cri_stop() {
	compat_stop "$(cat "$CD/containerd.pid" 2>/dev/null)"
	rm -f "$CD/containerd.pid"
}

# cri_setup — make CD, claim the network, start containerd, import the
# busybox image and the pause image (the same rootfs, sleeping forever).
cri_setup() {
	CD=$(mktemp -d /tmp/brig-cri.XXXXXX)
	CG=$(basename "$CD")
	export CD CG
	# libcni caches each attachment's result in /var/lib/cni/results (not
	# configurable in containerd 1.6): what we make there goes at teardown
	local d
	for d in /var/lib/cni /var/lib/cni/results; do
		[ -e "$d" ] || echo "$d" >>"$CD/made"
	done
	export CRI_GEN_DIR=$CD/gen
	cri_claim_net || return 1
	cri_write_config
	cri_start || return 1
	"$CRI_LIB/../mkoci" "$(rootfs_cache)" "$CD/busybox.tar" "$CRI_IMG"
	"$CRI_LIB/../mkoci" "$(rootfs_cache)" "$CD/pause.tar" "$CRI_PAUSE" sleep 2147483647
	ctrk images import "$CD/busybox.tar" >/dev/null &&
		ctrk images import "$CD/pause.tar" >/dev/null || return 1
	rm -f "$CD/busybox.tar" "$CD/pause.tar"
}

# cri_remove_all — stop and remove every pod (and so its containers).
cri_remove_all() {
	local p
	[ -S "$CD/containerd.sock" ] && [ -e "$CD/containerd.pid" ] || return 0
	for p in $(cri pods 2>/dev/null); do
		cri stopp "$p" >/dev/null 2>&1
		cri rmp "$p" >/dev/null 2>&1
	done
}

# cri_teardown — everything, even after a failure: the pods, containerd,
# processes left in the pods' cgroups, the shims, the network namespaces
# and every other mount under CD, the cgroups, the bridge, libcni's cache
# files (and its directories when we made them), CD.
cri_teardown() {
	[ -n "${CD:-}" ] && [ -d "$CD" ] || return 0
	local m br
	cri_remove_all
	for m in $(find /sys/fs/cgroup/freezer -mindepth 1 -maxdepth 4 -type d -path "*/$CG/*" 2>/dev/null); do
		echo THAWED >"$m/freezer.state" 2>/dev/null
	done
	for m in $(find /sys/fs/cgroup -mindepth 2 -maxdepth 5 -name cgroup.procs -path "*/$CG/*" 2>/dev/null); do
		xargs -r kill -KILL <"$m" 2>/dev/null
	done
	cri_stop
	br=$(cat "$CD/bridge" 2>/dev/null)
	# compat_cleanup removes cgroups only three levels down: the pods'
	# containers are one further (CG/pod/container)
	find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -name "$CG" 2>/dev/null |
		while read -r m; do
			find "$m" -depth -type d -exec rmdir {} + 2>/dev/null
		done
	if [ -n "$br" ]; then
		ip link del "$br" 2>/dev/null
		rm -f /var/lib/cni/results/"$br"-*
	fi
	tac "$CD/made" 2>/dev/null | while read -r m; do
		rmdir "$m" 2>/dev/null
	done
	compat_cleanup "$CD"
	return 0
}

# pod_json NAME [JQ-FILTER] — a PodSandboxConfig for pod NAME (its log
# directory, cgroup parent /CG/NAME), edited by the filter; written to
# $CD/NAME.pod.json, whose path is printed.  As kubelet does: a pid
# namespace per container unless the filter says otherwise
# (shareProcessNamespace: "POD", hostPID: "NODE"), no hostname for a
# hostNetwork pod (it has no UTS namespace of its own).
pod_json() {
	local name=$1 filter=${2:-.}
	local cg=/$CG/$name
	[ "$(cri_systemd)" = false ] || cg=brigcri.slice
	jq -n --arg n "$name" --arg logs "$CD/logs/$name" --arg cg "$cg" '{
		metadata: {name: $n, uid: ("uid-" + $n), namespace: "brigcri", attempt: 0},
		hostname: $n,
		logDirectory: $logs,
		dnsConfig: {servers: ["10.232.255.53"], searches: ["brigcri.test"]},
		labels: {app: $n},
		linux: {cgroupParent: $cg, securityContext: {namespaceOptions: {pid: "CONTAINER"}}}
	}' | jq "$filter" | jq 'if .linux.securityContext.namespaceOptions.network == "NODE" then del(.hostname) else . end' >"$CD/$name.pod.json" && echo "$CD/$name.pod.json"
}

# ctr_json POD NAME [JQ-FILTER] -- CMD... — a ContainerConfig for container
# NAME of pod POD running CMD in the busybox image, edited by the filter
# (kubelet repeats the pod's namespace modes here: so must the filter);
# written to $CD/POD.NAME.ctr.json, whose path is printed.
ctr_json() {
	local pod=$1 name=$2 filter=.
	shift 2
	if [ "$1" != -- ]; then
		filter=$1
		shift
	fi
	shift
	jq -n --arg n "$name" --arg img "$CRI_IMG" --argjson cmd "$(json_array "$@")" '{
		metadata: {name: $n, attempt: 0},
		image: {image: $img},
		command: $cmd,
		logPath: ($n + ".log"),
		linux: {resources: {}, securityContext: {namespaceOptions: {pid: "CONTAINER"}}}
	}' | jq "$filter" >"$CD/$pod.$name.ctr.json" && echo "$CD/$pod.$name.ctr.json"
}

# runp NAME [JQ-FILTER] — RunPodSandbox with the handler under test;
# prints the pod's id.
runp() {
	local f
	f=$(pod_json "$@") && cri runp -r "$CRI_HANDLER" "$f"
}

# run_ctr POD-ID POD-NAME NAME [JQ-FILTER] -- CMD... — CreateContainer and
# StartContainer; prints the container's id.
run_ctr() {
	local pid=$1 pod=$2 f id
	shift 2
	f=$(ctr_json "$pod" "$@") || return 1
	id=$(cri create "$pid" "$f" "$CD/$pod.pod.json") || return 1
	cri start "$id" >/dev/null || return 1
	echo "$id"
}

# ctr_state ID — CONTAINER_RUNNING, CONTAINER_EXITED ...
ctr_state() { cri inspect "$1" | jq -r .status.state; }

# ctr_pid ID — the container's init, as the host sees it.
ctr_pid() { cri inspect "$1" | jq -r .info.info.pid; }

# pod_pid POD-ID — the sandbox's (pause) process.
pod_pid() { cri inspectp "$1" | jq -r .info.info.pid; }

# wait_state ID STATE — up to 10 s.
wait_state() {
	local i s
	for i in $(seq 100); do
		s=$(ctr_state "$1")
		[ "$s" = "$2" ] && return 0
		sleep 0.1
	done
	echo "container $1: $s, not $2" >&2
	return 1
}
