# Turn Podman's Docker-format seccomp profile (containers-common's
# seccomp.json) into linux.seccomp for the capabilities in $caps, on amd64:
# what Podman itself passes to the runtime.
def allowed_by_caps($c):
  ((.includes.caps // []) | all(. as $x | $c | index($x)))
  and ((.excludes.caps // []) | any(. as $x | $c | index($x)) | not);
def on_amd64:
  ((.includes.arches // ["amd64"]) | index("amd64"))
  and ((.excludes.arches // []) | index("amd64") | not);
{
  defaultAction: .defaultAction,
  defaultErrnoRet: (.defaultErrnoRet // 1),
  architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  syscalls: [ .syscalls[]
    | select(allowed_by_caps($caps) and on_amd64)
    | {names: (.names // [.name]), action: .action}
      + (if .args and (.args | length) > 0 then {args: [.args[] | {index, value, valueTwo, op}]} else {} end)
      + (if .errnoRet then {errnoRet: .errnoRet} else {} end) ]
}
