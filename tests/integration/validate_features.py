#!/usr/bin/env python3
"""validate_features.py FILE... — check `features` documents (runtime-spec
features.md and features-linux.md, v1.3.0) with brig's own description of
them below.  Prints one line per problem, "FILE: where: what".  Exit 0
when all are valid, 1 when any is not, 77 when python3-jsonschema is not
available (the caller skips).

What is checked, from the prose:
 - ociVersionMin and ociVersionMax are present SemVer strings, and the
   maximum is not less than the minimum;
 - every other property may be absent or null, and has the type and the
   names the spec gives it; no property the spec does not define;
 - names are the spellings config.json uses: hook names, namespace types,
   CAP_*, and the seccomp and memory policy names config-linux.md
   lists; no list repeats a name;
 - seccomp.supportedFlags is a subset of seccomp.knownFlags;
 - annotations map strings to strings, with non-empty keys.
"""
import json
import re
import sys

try:
    import jsonschema
except ImportError:
    sys.exit(77)

SEMVER = (r'^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)'
          r'(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$')


# OPTIONAL properties may also be null (features.md): every type below
# admits null; keywords of another type do not apply to it.
def names(item):
    return {'type': ['array', 'null'], 'uniqueItems': True, 'items': item}


def pattern(p):
    return {'type': 'string', 'pattern': p}


def obj(props):
    """An object with only these properties; `bool` for an OPTIONAL boolean."""
    return {'type': ['object', 'null'], 'additionalProperties': False,
            'properties': {k: ({'type': ['boolean', 'null']} if v is bool else v)
                           for k, v in props.items()}}


# The names config-linux.md defines for linux.seccomp and linux.memoryPolicy.
SECCOMP_ACTIONS = ['SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD',
                   'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE',
                   'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY']
SECCOMP_OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ',
                     'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ']
SECCOMP_ARCHS = ['SCMP_ARCH_' + a for a in (
    'X86', 'X86_64', 'X32', 'ARM', 'AARCH64', 'MIPS', 'MIPS64', 'MIPS64N32',
    'MIPSEL', 'MIPSEL64', 'MIPSEL64N32', 'PPC', 'PPC64', 'PPC64LE', 'S390',
    'S390X', 'PARISC', 'PARISC64', 'RISCV64', 'LOONGARCH64', 'M68K', 'SH',
    'SHEB')]
SECCOMP_FLAGS = ['SECCOMP_FILTER_FLAG_' + f for f in (
    'TSYNC', 'LOG', 'SPEC_ALLOW', 'WAIT_KILLABLE_RECV')]
MPOL_MODES = ['MPOL_' + m for m in (
    'DEFAULT', 'BIND', 'INTERLEAVE', 'WEIGHTED_INTERLEAVE', 'PREFERRED',
    'PREFERRED_MANY', 'LOCAL')]
MPOL_FLAGS = ['MPOL_F_' + f for f in ('NUMA_BALANCING', 'RELATIVE_NODES',
                                      'STATIC_NODES')]

ENABLED = obj({'enabled': bool})

LINUX = obj({
    'namespaces': names({'enum': ['cgroup', 'ipc', 'mount', 'network', 'pid',
                                  'time', 'user', 'uts']}),
    'capabilities': names(pattern(r'^CAP_[A-Z0-9_]+$')),
    'cgroup': obj({'v1': bool, 'v2': bool, 'systemd': bool,
                   'systemdUser': bool, 'rdma': bool}),
    'seccomp': obj({
        'enabled': bool,
        'actions': names({'enum': SECCOMP_ACTIONS}),
        'operators': names({'enum': SECCOMP_OPERATORS}),
        'archs': names({'enum': SECCOMP_ARCHS}),
        'knownFlags': names({'enum': SECCOMP_FLAGS}),
        'supportedFlags': names({'enum': SECCOMP_FLAGS}),
    }),
    'apparmor': ENABLED,
    'selinux': ENABLED,
    'memoryPolicy': obj({'modes': names({'enum': MPOL_MODES}),
                         'flags': names({'enum': MPOL_FLAGS})}),
    'intelRdt': obj({'enabled': bool, 'schemata': bool, 'monitoring': bool}),
    'mountExtensions': obj({'idmap': ENABLED}),
    'netDevices': ENABLED,
})

FEATURES = {
    'type': 'object',
    'additionalProperties': False,
    'required': ['ociVersionMin', 'ociVersionMax'],
    'properties': {
        'ociVersionMin': pattern(SEMVER),
        'ociVersionMax': pattern(SEMVER),
        'hooks': names({'enum': ['prestart', 'createRuntime', 'createContainer',
                                 'startContainer', 'poststart', 'poststop']}),
        # recognised mount(8)-style names; options with a value
        # (fs-specific data such as size=) do not belong here
        'mountOptions': names(pattern(r'^[a-z][a-z0-9_]*$')),
        'linux': LINUX,
        'annotations': {'type': ['object', 'null'],
                        'propertyNames': {'minLength': 1},
                        'additionalProperties': {'type': 'string'}},
        'potentiallyUnsafeConfigAnnotations': names({'type': 'string',
                                                     'minLength': 1}),
    },
}


def version_key(v):
    """SemVer precedence: a pre-release sorts before its release."""
    m = re.match(SEMVER, v)
    core = tuple(int(m.group(i)) for i in (1, 2, 3))
    pre = m.group(4)
    if not pre:
        return core + ((1,),)
    parts = tuple((0, int(p), '') if p.isdigit() else (1, 0, p)
                  for p in pre[1:].split('.'))
    return core + ((0,) + parts,)


def problems(doc):
    for e in jsonschema.Draft7Validator(FEATURES).iter_errors(doc):
        yield '%s: %s' % ('/'.join(map(str, e.absolute_path)) or '(root)', e.message)
    if not isinstance(doc, dict):
        return
    lo, hi = doc.get('ociVersionMin'), doc.get('ociVersionMax')
    if (isinstance(lo, str) and isinstance(hi, str) and re.match(SEMVER, lo)
            and re.match(SEMVER, hi) and version_key(hi) < version_key(lo)):
        yield 'ociVersionMax: %s is less than ociVersionMin %s' % (hi, lo)
    seccomp = (doc.get('linux') or {}).get('seccomp') or {}
    if isinstance(seccomp, dict):
        known = seccomp.get('knownFlags') or []
        for f in seccomp.get('supportedFlags') or []:
            if f not in known:
                yield 'linux/seccomp/supportedFlags: %s is not in knownFlags' % f


def main():
    if len(sys.argv) < 2:
        print('usage: validate_features.py FILE...', file=sys.stderr)
        return 2
    bad = False
    for name in sys.argv[1:]:
        try:
            with open(name) as f:
                found = list(problems(json.load(f)))
        except (OSError, ValueError) as e:
            found = [str(e)]
        for p in found:
            print('%s: %s' % (name, p))
        bad = bad or bool(found)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
