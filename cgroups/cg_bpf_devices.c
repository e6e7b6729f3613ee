/* brig — cgroups/: linux.resources.devices on cgroup v2, as an eBPF
 * program of type BPF_PROG_TYPE_CGROUP_DEVICE attached to the container's
 * cgroup (BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI).  No libbpf: the program
 * is a short list of instructions built here and loaded with bpf(2).
 *
 * The kernel runs the program for every open/mknod of a device node with
 * a struct bpf_cgroup_dev_ctx: access_type = (access << 16) | type, then
 * major and minor.  It returns 1 to allow, 0 to deny.
 *
 * Semantics are the v1 controller's: the rules (the spec's, then the
 * defaults of cg_devices.c) are read as a list where the LAST matching
 * rule decides; a type "a" rule matches everything (so rules before it
 * are never reached and are not emitted); when nothing matches the
 * device is allowed, as in a fresh v1 cgroup.  An allow rule matches when
 * every requested access is in its access; a deny rule when any is.
 *
 * The program:
 *     r2 = ctx->access_type & 0xffff     (type)
 *     r3 = ctx->access_type >> 16        (access)
 *     r4 = ctx->major; r5 = ctx->minor
 *     for each rule, last first:
 *         if r2 != TYPE goto next        (unless the rule is "a")
 *         access test                    (unless the rule has rwm)
 *         if r4 != MAJOR goto next       (unless wildcard)
 *         if r5 != MINOR goto next       (unless wildcard)
 *         r0 = ALLOW; exit
 *     next: ...
 *     r0 = 1; exit
 *
 * Replacing: the programs already attached (a previous create or update)
 * are queried first and detached after the new one is in place, so there
 * is no moment without a filter. */
#include "cgroups/cg_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ACC_ALL (BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE)

static struct bpf_insn ins(uint8_t code, uint8_t dst, uint8_t src,
			   int16_t off, int32_t imm)
{
	struct bpf_insn i;

	memset(&i, 0, sizeof(i));
	i.code = code;
	i.dst_reg = dst & 0xf;
	i.src_reg = src & 0xf;
	i.off = off;
	i.imm = imm;
	return i;
}

#define LDX_W(dst, src, off) ins(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU_K(op, dst, imm) ins(BPF_ALU64 | (op) | BPF_K, dst, 0, 0, imm)
#define MOV_X(dst, src) ins(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define JMP_K(op, dst, imm, off) ins(BPF_JMP | (op) | BPF_K, dst, 0, off, imm)
#define EXIT() ins(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

static unsigned access_bits(const char *a)
{
	unsigned b = 0;

	if (a == NULL || *a == '\0')
		return ACC_ALL;
	for (; *a; a++) {
		if (*a == 'm')
			b |= BPF_DEVCG_ACC_MKNOD;
		else if (*a == 'r')
			b |= BPF_DEVCG_ACC_READ;
		else if (*a == 'w')
			b |= BPF_DEVCG_ACC_WRITE;
	}
	return b;
}

struct prog {
	struct bpf_insn *v;
	size_t n, cap;
};

static void emit(struct prog *p, struct bpf_insn i)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n++] = i;
}

/* Emit one rule's block; returns false when the rule is "a" (the end). */
static bool emit_rule(struct prog *p, const struct spec_device_cgroup *d)
{
	char type = d->type ? d->type : 'a';
	unsigned acc = access_bits(d->access);
	size_t start = p->n;

	if (type == 'a') {
		emit(p, ALU_K(BPF_MOV, 0, d->allow ? 1 : 0));
		emit(p, EXIT());
		return false;
	}
	/* the jumps to "next" get their offsets once the block is known */
	emit(p, JMP_K(BPF_JNE, 2, type == 'b' ? BPF_DEVCG_DEV_BLOCK
					     : BPF_DEVCG_DEV_CHAR, 0));
	if (acc != ACC_ALL) {
		if (d->allow) {
			/* any requested bit outside the rule: no match */
			emit(p, JMP_K(BPF_JSET, 3, (int32_t)(~acc & ACC_ALL), 0));
		} else {
			/* no requested bit inside the rule: no match */
			emit(p, MOV_X(1, 3));
			emit(p, ALU_K(BPF_AND, 1, (int32_t)acc));
			emit(p, JMP_K(BPF_JEQ, 1, 0, 0));
		}
	}
	if (d->major >= 0)
		emit(p, JMP_K(BPF_JNE, 4, (int32_t)d->major, 0));
	if (d->minor >= 0)
		emit(p, JMP_K(BPF_JNE, 5, (int32_t)d->minor, 0));
	emit(p, ALU_K(BPF_MOV, 0, d->allow ? 1 : 0));
	emit(p, EXIT());
	/* every conditional jump in the block goes to the next block */
	for (size_t i = start; i < p->n; i++)
		if (BPF_CLASS(p->v[i].code) == BPF_JMP &&
		    BPF_OP(p->v[i].code) != BPF_EXIT)
			p->v[i].off = (int16_t)(p->n - i - 1);
	return true;
}

static bool rule_ok(const struct spec_device_cgroup *d)
{
	return (d->type == 0 || strchr("abc", d->type)) &&
	       d->major <= INT32_MAX && d->minor <= INT32_MAX &&
	       (d->access == NULL || strspn(d->access, "rwm") == strlen(d->access));
}

int cg_bpf_devices_build(const struct spec_device_cgroup *rules, size_t n,
			 struct bpf_insn **out, size_t *count,
			 brig_error_t **err)
{
	struct prog p = { 0 };
	size_t total = n + cg_n_device_defaults;

	for (size_t i = 0; i < n; i++)
		if (!rule_ok(&rules[i]))
			return brig_err(err, 0, "linux.resources.devices[%zu]: "
					"invalid rule", i);
	emit(&p, LDX_W(2, 1, 0));
	emit(&p, ALU_K(BPF_AND, 2, 0xffff));
	emit(&p, LDX_W(3, 1, 0));
	emit(&p, ALU_K(BPF_RSH, 3, 16));
	emit(&p, LDX_W(4, 1, 4));
	emit(&p, LDX_W(5, 1, 8));
	for (size_t k = total; k-- > 0;) {
		const struct spec_device_cgroup *d =
			k >= n ? &cg_device_defaults[k - n] : &rules[k];

		if (!emit_rule(&p, d)) {
			*out = p.v;
			*count = p.n;
			return 0;
		}
	}
	emit(&p, ALU_K(BPF_MOV, 0, 1));
	emit(&p, EXIT());
	*out = p.v;
	*count = p.n;
	return 0;
}

static int bpf_(int cmd, union bpf_attr *a)
{
	return (int)syscall(SYS_bpf, cmd, a, sizeof(*a));
}

static int prog_load(const struct bpf_insn *v, size_t n, brig_error_t **err)
{
	static char log[4096];
	union bpf_attr a;
	int fd;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uint64_t)(uintptr_t)v;
	a.insn_cnt = (uint32_t)n;
	a.license = (uint64_t)(uintptr_t)"GPL";
	fd = bpf_(BPF_PROG_LOAD, &a);
	if (fd >= 0)
		return fd;
	if (errno != EINVAL && errno != EACCES)
		return brig_err(err, errno, "load the eBPF device program");
	/* ask again with the verifier's log for the message */
	log[0] = '\0';
	a.log_level = 1;
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof(log);
	fd = bpf_(BPF_PROG_LOAD, &a);
	if (fd >= 0)
		return fd;
	log[strcspn(log, "\n")] = '\0';
	return brig_err(err, errno, "load the eBPF device program (%s)", log);
}

/* The ids of the device programs attached to the cgroup (max 64). */
static size_t query_ids(int cgfd, uint32_t ids[64])
{
	union bpf_attr a;

	memset(&a, 0, sizeof(a));
	a.query.target_fd = (uint32_t)cgfd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uint64_t)(uintptr_t)ids;
	a.query.prog_cnt = 64;
	if (bpf_(BPF_PROG_QUERY, &a) < 0)
		return 0;
	return a.query.prog_cnt > 64 ? 64 : a.query.prog_cnt;
}

size_t cg_bpf_devices_attached(const char *dir)
{
	cleanup_close int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	uint32_t ids[64];

	return cgfd < 0 ? 0 : query_ids(cgfd, ids);
}

static void detach_id(int cgfd, uint32_t id)
{
	union bpf_attr a;
	int pfd;

	memset(&a, 0, sizeof(a));
	a.prog_id = id;
	pfd = bpf_(BPF_PROG_GET_FD_BY_ID, &a);
	if (pfd < 0)
		return;
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)pfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	bpf_(BPF_PROG_DETACH, &a);
	close(pfd);
}

int cg_apply_devices_bpf(struct cg_hier *h, const struct spec_resources *r,
			 brig_error_t **err)
{
	cleanup_free struct bpf_insn *v = NULL;
	cleanup_close int cgfd = -1, pfd = -1;
	uint32_t old[64];
	size_t n = 0, nold;
	union bpf_attr a;

	if (cg_bpf_devices_build(r->devices, r->n_devices, &v, &n, err) < 0)
		return -1;
	cgfd = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return brig_err(err, errno, "linux.resources.devices: open %s", h->dir);
	pfd = prog_load(v, n, err);
	if (pfd < 0)
		return brig_err_prefix(err, "linux.resources.devices");
	nold = query_ids(cgfd, old);
	memset(&a, 0, sizeof(a));
	a.target_fd = (uint32_t)cgfd;
	a.attach_bpf_fd = (uint32_t)pfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpf_(BPF_PROG_ATTACH, &a) < 0)
		return brig_err(err, errno, "linux.resources.devices: attach the "
				"eBPF device program to %s", h->dir);
	for (size_t i = 0; i < nold; i++)
		detach_id(cgfd, old[i]);
	return 0;
}
