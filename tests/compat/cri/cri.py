#!/usr/bin/python3
"""tests/compat/cri/cri.py — a small CRI client: what kubelet asks of a
container runtime, one RPC (or two) per subcommand, over the CRI v1 gRPC
API of tests/compat/cri/runtime.proto.

    cri.py [-s SOCKET] COMMAND ARGS...

  version                        runtime name and version
  status                         the runtime's conditions (RuntimeReady, NetworkReady)
  images                         the images' tags, one per line
  runp [-r HANDLER] POD.json     RunPodSandbox; prints the pod id
  inspectp POD                   PodSandboxStatus (verbose) as JSON
  pods                           the pods' ids, one per line
  stopp POD / rmp POD            StopPodSandbox / RemovePodSandbox
  create POD CTR.json POD.json   CreateContainer; prints the container id
  start ID                       StartContainer
  exec-sync [-t SECONDS] ID CMD...
                                 ExecSync: the command's stdout and stderr,
                                 and its exit code as this program's
  inspect ID                     ContainerStatus (verbose) as JSON
  logpath ID                     the container's log file (CRI format)
  ps [POD]                       the containers' ids, one per line
  update-resources ID RES.json   UpdateContainerResources (RES: LinuxContainerResources)
  stop [-t SECONDS] ID / rm ID   StopContainer / RemoveContainer

POD.json, CTR.json and RES.json are the CRI messages PodSandboxConfig,
ContainerConfig and LinuxContainerResources in protobuf's JSON mapping
(camelCase or the .proto's snake_case names); "-" reads standard input.
The socket is -s or $CRI_SOCKET.  The Python modules are generated from
runtime.proto by protoc into $CRI_GEN_DIR (default: a directory of its own
under /tmp, removed at exit) when missing or older than the .proto.

A failed RPC or bad input prints one line, `cri.py: ...`, and exits 125
(exec-sync passes the command's own exit code through otherwise).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO = os.path.join(HERE, "runtime.proto")
FAIL = 125


def die(msg):
    print("cri.py: " + msg, file=sys.stderr)
    sys.exit(FAIL)


def load_modules():
    gen = os.environ.get("CRI_GEN_DIR")
    tmp = None
    if not gen:
        tmp = gen = tempfile.mkdtemp(prefix="brig-cri-gen.")
    try:
        out = os.path.join(gen, "runtime_pb2.py")
        if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(PROTO):
            os.makedirs(gen, exist_ok=True)
            # into a directory of its own first: two clients generating at
            # once never see a half-written module
            work = tempfile.mkdtemp(prefix="protoc.", dir=gen)
            try:
                r = subprocess.run(["protoc", "-I", HERE, "--python_out=" + work, PROTO],
                                   capture_output=True, text=True)
                if r.returncode != 0:
                    die("protoc: " + (r.stderr.strip() or "failed"))
                os.replace(os.path.join(work, "runtime_pb2.py"), out)
            finally:
                shutil.rmtree(work, ignore_errors=True)
        sys.path.insert(0, gen)
        import runtime_pb2  # noqa: E402
        return runtime_pb2
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


try:
    import grpc
    from google.protobuf import json_format
except ImportError as e:
    die("%s (scripts/deps compat installs python3-grpcio and python3-protobuf)" % e)

pb = load_modules()


class Client:
    def __init__(self, socket):
        self.channel = grpc.insecure_channel("unix://" + socket)

    def call(self, service, method, request, deadline=60):
        resp_type = getattr(pb, method + "Response")
        rpc = self.channel.unary_unary(
            "/runtime.v1.%s/%s" % (service, method),
            request_serializer=type(request).SerializeToString,
            response_deserializer=resp_type.FromString)
        try:
            return rpc(request, timeout=deadline)
        except grpc.RpcError as e:
            die("%s: %s" % (method, e.details() or e.code()))

    def rt(self, method, deadline=60, **fields):
        return self.call("RuntimeService", method,
                         getattr(pb, method + "Request")(**fields), deadline)

    def img(self, method, **fields):
        return self.call("ImageService", method, getattr(pb, method + "Request")(**fields))


def read_message(path, msg_type):
    try:
        text = sys.stdin.read() if path == "-" else open(path).read()
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    try:
        return json_format.Parse(text, msg_type())
    except json_format.ParseError as e:
        die("%s: not a %s: %s" % (path, msg_type.__name__, e))


def to_dict(msg):
    return json_format.MessageToDict(msg, preserving_proto_field_name=False)


def verbose_info(info):
    """the verbose info map's values are JSON documents"""
    out = {}
    for k, v in info.items():
        try:
            out[k] = json.loads(v)
        except ValueError:
            out[k] = v
    return out


def take_opt(args, flag):
    """-F VALUE at the front of args"""
    if len(args) >= 2 and args[0] == flag:
        return args[1], args[2:]
    return None, args


def need(args, n, usage):
    if len(args) != n:
        die("usage: " + usage)


def main(argv):
    sock = os.environ.get("CRI_SOCKET")
    if len(argv) >= 2 and argv[0] == "-s":
        sock, argv = argv[1], argv[2:]
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    if not sock:
        die("no socket: -s SOCKET or $CRI_SOCKET")
    c = Client(sock)
    cmd, args = argv[0], argv[1:]

    if cmd == "version":
        need(args, 0, "version")
        r = c.rt("Version", version="v1")
        print("%s %s (CRI %s)" % (r.runtime_name, r.runtime_version, r.runtime_api_version))
    elif cmd == "status":
        need(args, 0, "status")
        for cond in c.rt("Status").status.conditions:
            print("%s=%s%s" % (cond.type, str(cond.status).lower(),
                               " " + cond.reason + ": " + cond.message if cond.reason else ""))
    elif cmd == "images":
        need(args, 0, "images")
        for im in c.img("ListImages").images:
            for tag in im.repo_tags:
                print(tag)
    elif cmd == "runp":
        handler, args = take_opt(args, "-r")
        need(args, 1, "runp [-r HANDLER] POD.json")
        config = read_message(args[0], pb.PodSandboxConfig)
        print(c.rt("RunPodSandbox", deadline=120, config=config,
                   runtime_handler=handler or "").pod_sandbox_id)
    elif cmd == "inspectp":
        need(args, 1, "inspectp POD")
        r = c.rt("PodSandboxStatus", pod_sandbox_id=args[0], verbose=True)
        print(json.dumps({"status": to_dict(r.status), "info": verbose_info(r.info)}, indent=1))
    elif cmd == "pods":
        need(args, 0, "pods")
        for p in c.rt("ListPodSandbox").items:
            print(p.id)
    elif cmd == "stopp":
        need(args, 1, "stopp POD")
        c.rt("StopPodSandbox", deadline=120, pod_sandbox_id=args[0])
    elif cmd == "rmp":
        need(args, 1, "rmp POD")
        c.rt("RemovePodSandbox", deadline=120, pod_sandbox_id=args[0])
    elif cmd == "create":
        need(args, 3, "create POD CTR.json POD.json")
        config = read_message(args[1], pb.ContainerConfig)
        sandbox = read_message(args[2], pb.PodSandboxConfig)
        print(c.rt("CreateContainer", pod_sandbox_id=args[0], config=config,
                   sandbox_config=sandbox).container_id)
    elif cmd == "start":
        need(args, 1, "start ID")
        c.rt("StartContainer", container_id=args[0])
    elif cmd == "exec-sync":
        timeout, args = take_opt(args, "-t")
        if len(args) < 2:
            die("usage: exec-sync [-t SECONDS] ID CMD...")
        try:
            timeout = int(timeout or 0)
        except ValueError:
            die("exec-sync: -t %s: not a number of seconds" % timeout)
        r = c.rt("ExecSync", deadline=(timeout or 60) + 30,
                 container_id=args[0], cmd=args[1:], timeout=timeout)
        sys.stdout.buffer.write(r.stdout)
        sys.stdout.flush()
        sys.stderr.buffer.write(r.stderr)
        return r.exit_code
    elif cmd == "inspect":
        need(args, 1, "inspect ID")
        r = c.rt("ContainerStatus", container_id=args[0], verbose=True)
        print(json.dumps({"status": to_dict(r.status), "info": verbose_info(r.info)}, indent=1))
    elif cmd == "logpath":
        need(args, 1, "logpath ID")
        print(c.rt("ContainerStatus", container_id=args[0]).status.log_path)
    elif cmd == "ps":
        if len(args) > 1:
            die("usage: ps [POD]")
        flt = pb.ContainerFilter(pod_sandbox_id=args[0] if args else "")
        for ctr in c.rt("ListContainers", filter=flt).containers:
            print(ctr.id)
    elif cmd == "update-resources":
        need(args, 2, "update-resources ID RES.json")
        res = read_message(args[1], pb.LinuxContainerResources)
        c.rt("UpdateContainerResources", container_id=args[0], linux=res)
    elif cmd == "stop":
        timeout, args = take_opt(args, "-t")
        need(args, 1, "stop [-t SECONDS] ID")
        try:
            timeout = int(timeout or 0)
        except ValueError:
            die("stop: -t %s: not a number of seconds" % timeout)
        c.rt("StopContainer", deadline=timeout + 60, container_id=args[0], timeout=timeout)
    elif cmd == "rm":
        need(args, 1, "rm ID")
        c.rt("RemoveContainer", container_id=args[0])
    else:
        die("unknown command %r (cri.py --help)" % cmd)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
