/* brig — unit tests for spec/: config.json, process.json and resources
 * JSON parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "spec/spec.h"
#include "base/io.h"

/* ---- helpers ----------------------------------------------------------- */

/* The project's own config.json documents, tests/unit/data/spec/{good,bad}:
 * BRIG_SOURCE is the source tree (set by meson and scripts/test); run by
 * hand, the tree this file was compiled from. */
static char *data_path(const char *sub, const char *file)
{
	const char *src = getenv("BRIG_SOURCE");
	if (!src || !*src)
		src = BRIG_SOURCE_DIR;
	return xasprintf("%s/tests/unit/data/spec/%s%s%s", src, sub,
			 file ? "/" : "", file ? file : "");
}

static struct spec_config *parse(const char *json)
{
	brig_error_t *err = NULL;
	struct spec_config *c = spec_parse_config(json, strlen(json),
						  "config.json", &err);
	if (!c) {
		print_error("unexpected error: %s\n", err ? err->msg : "(none)");
		brig_err_free(&err);
		fail();
	}
	assert_null(err);
	return c;
}

/* The document must be refused with exactly `msg`. */
static void refused_exact(const char *json, const char *msg)
{
	brig_error_t *err = NULL;
	struct spec_config *c = spec_parse_config(json, strlen(json),
						  "config.json", &err);
	assert_null(c);
	assert_non_null(err);
	if (strcmp(err->msg, msg) != 0) {
		print_error("expected: %s\n     got: %s\n", msg, err->msg);
		brig_err_free(&err);
		fail();
	}
	brig_err_free(&err);
}

/* The document must be refused with a message containing `part`. */
static void refused_with(const char *json, const char *part)
{
	brig_error_t *err = NULL;
	struct spec_config *c = spec_parse_config(json, strlen(json),
						  "config.json", &err);
	assert_null(c);
	assert_non_null(err);
	if (!strstr(err->msg, part)) {
		print_error("expected a message with: %s\n got: %s\n", part,
			    err->msg);
		brig_err_free(&err);
		fail();
	}
	brig_err_free(&err);
}

/* A minimal document with `linux` set to the given object text. */
static char *with_linux(const char *linux_obj)
{
	return xasprintf("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},"
			 "\"linux\":%s}", linux_obj);
}

static char *with_process(const char *process_obj)
{
	return xasprintf("{\"ociVersion\":\"1.0.0\",\"process\":%s}", process_obj);
}

static void linux_refused(const char *linux_obj, const char *msg)
{
	char *doc = with_linux(linux_obj);
	refused_exact(doc, msg);
	free(doc);
}

static void process_refused(const char *process_obj, const char *msg)
{
	char *doc = with_process(process_obj);
	refused_exact(doc, msg);
	free(doc);
}

static struct spec_config *parse_file(const char *path, brig_error_t **err)
{
	size_t len = 0;
	char *text = brig_read_file(path, &len);
	struct spec_config *c;
	if (!text) {
		print_error("cannot read %s: %s\n", path, strerror(errno));
		fail();
	}
	c = spec_parse_config(text, len, "config.json", err);
	free(text);
	return c;
}

/* ---- the project's own documents (tests/unit/data/spec) ---------------- */

/* Every .json file in good/ is accepted. */
static void test_good_documents(void **state)
{
	(void)state;
	char *dir = data_path("good", NULL);
	DIR *d = opendir(dir);
	struct dirent *de;
	int count = 0;

	if (!d) {
		print_error("cannot open %s: %s\n", dir, strerror(errno));
		fail();
	}
	while ((de = readdir(d))) {
		brig_error_t *err = NULL;
		struct spec_config *c;
		char *path;
		size_t n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		c = parse_file(path, &err);
		if (!c) {
			print_error("%s: %s\n", de->d_name, err->msg);
			brig_err_free(&err);
			fail();
		}
		assert_non_null(c->oci_version);
		assert_non_null(c->root);
		spec_free(c);
		free(path);
		count++;
	}
	closedir(d);
	free(dir);
	assert_int_equal(count, 8);
}

static struct spec_config *good_file(const char *file)
{
	brig_error_t *err = NULL;
	char *path = data_path("good", file);
	struct spec_config *c = parse_file(path, &err);
	if (!c) {
		print_error("%s: %s\n", file, err->msg);
		brig_err_free(&err);
		fail();
	}
	free(path);
	return c;
}

/* Every .json file in bad/ has its verdict here: the exact message, or NULL for a
 * document that is bad only in a part a Linux runtime ignores (another
 * platform's section, like any property it does not know). */
static const struct {
	const char *file, *msg;
} bad_documents[] = {
	{ "linux-hugepage.json",
	  "config.json: linux.resources.hugepageLimits[0].pageSize: invalid "
	  "page size \"64kB\" (expected <size>KB, <size>MB or <size>GB)" },
	{ "linux-netdevice.json",
	  "config.json: linux.netDevices.enp3s0.name: expected a string" },
	{ "linux-rdma.json",
	  "config.json: linux.resources.rdma.bnxt_re0.hcaHandles: "
	  "expected an integer" },
	{ "invalid-json.json",
	  "config.json: invalid JSON at line 1, column 48: "
	  "parse error: trailing garbage" },
	{ "freebsd-jail-vnet.json", NULL },
};

static void test_bad_documents(void **state)
{
	(void)state;
	char *dir = data_path("bad", NULL);
	DIR *d = opendir(dir);
	struct dirent *de;
	int count = 0;

	if (!d) {
		print_error("cannot open %s: %s\n", dir, strerror(errno));
		fail();
	}
	while ((de = readdir(d))) {
		brig_error_t *err = NULL;
		struct spec_config *c;
		const char *msg = NULL;
		bool known = false;
		char *path;
		size_t n = strlen(de->d_name);
		if (n < 5 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		for (size_t i = 0; i < sizeof(bad_documents) / sizeof(bad_documents[0]); i++) {
			if (strcmp(de->d_name, bad_documents[i].file) == 0) {
				known = true;
				msg = bad_documents[i].msg;
			}
		}
		if (!known) {
			print_error("%s: no verdict in test_bad_documents\n", de->d_name);
			fail();
		}
		path = xasprintf("%s/%s", dir, de->d_name);
		c = parse_file(path, &err);
		if (!msg) {
			/* ignored: another platform's section */
			if (!c) {
				print_error("%s: refused: %s\n", de->d_name, err->msg);
				fail();
			}
			assert_null(c->linux);
			spec_free(c);
		} else {
			assert_null(c);
			assert_non_null(err);
			if (strcmp(err->msg, msg) != 0) {
				print_error("%s:\nexpected: %s\n     got: %s\n",
					    de->d_name, msg, err->msg);
				fail();
			}
			brig_err_free(&err);
		}
		free(path);
		count++;
	}
	closedir(d);
	free(dir);
	assert_int_equal(count, (int)(sizeof(bad_documents) / sizeof(bad_documents[0])));
}

static void test_minimal_documents(void **state)
{
	(void)state;
	struct spec_config *c = good_file("minimal.json");

	assert_string_equal(c->oci_version, "1.3.0");
	assert_string_equal(c->root->path, "fs");
	assert_false(c->root->readonly);
	assert_null(c->process);
	assert_null(c->linux);
	assert_int_equal(c->n_mounts, 0);
	assert_null(c->hostname);
	assert_int_equal(c->annotations.n, 0);
	assert_int_equal(c->hooks.prestart.n + c->hooks.poststop.n, 0);
	spec_free(c);

	/* what `start` needs: a process with cwd, args and user */
	c = good_file("minimal-for-start.json");
	assert_non_null(c->process);
	assert_string_equal(c->process->cwd, "/srv");
	assert_int_equal(c->process->args.n, 1);
	assert_string_equal(c->process->args.v[0], "/bin/true");
	assert_null(c->process->args.v[1]);
	assert_int_equal(c->process->user.uid, 0);
	assert_int_equal(c->process->user.gid, 0);
	assert_false(c->process->terminal);
	assert_null(c->process->capabilities);
	assert_int_equal(c->process->env.n, 0);
	assert_false(c->process->oom_score_adj.set);
	spec_free(c);

	/* netDevices: keys are host names, "name" optional */
	c = good_file("linux-netdevice.json");
	assert_int_equal(c->linux->n_net_devices, 2);
	assert_string_equal(c->linux->net_devices[0].host_name, "veth-brig0");
	assert_string_equal(c->linux->net_devices[0].name, "net0");
	assert_string_equal(c->linux->net_devices[1].host_name, "dummy7");
	assert_null(c->linux->net_devices[1].name);
	assert_null(c->linux->resources);
	spec_free(c);

	/* rdma: either limit may be left out */
	c = good_file("linux-rdma.json");
	assert_int_equal(c->linux->resources->n_rdma, 3);
	assert_string_equal(c->linux->resources->rdma[0].device, "hfi1_0");
	assert_int_equal(c->linux->resources->rdma[0].hca_handles.v, 4);
	assert_int_equal(c->linux->resources->rdma[0].hca_objects.v, 4096);
	assert_string_equal(c->linux->resources->rdma[1].device, "siw0");
	assert_false(c->linux->resources->rdma[1].hca_handles.set);
	assert_int_equal(c->linux->resources->rdma[1].hca_objects.v, 64);
	assert_true(c->linux->resources->rdma[2].hca_handles.set);
	assert_false(c->linux->resources->rdma[2].hca_objects.set);
	spec_free(c);
}

/* freebsd, zos and windows sections are not for this platform: ignored,
 * and what the document says for every platform is still read. */
static void test_other_platforms_ignored(void **state)
{
	(void)state;
	struct spec_config *c = good_file("freebsd-example.json");

	assert_null(c->linux);
	assert_string_equal(c->hostname, "jailed");
	assert_int_equal(c->n_mounts, 2);
	assert_string_equal(c->mounts[0].type, "devfs");
	assert_string_equal(c->mounts[1].options.v[0], "ro");
	/* no process.user: uid and gid 0 */
	assert_int_equal(c->process->user.uid, 0);
	assert_int_equal(c->process->user.gid, 0);
	assert_int_equal(c->process->args.n, 2);
	spec_free(c);

	c = good_file("zos-example.json");
	assert_null(c->linux);
	assert_int_equal(c->process->user.uid, 400);
	assert_string_equal(c->process->cwd, "/u/batch");
	spec_free(c);

	c = good_file("windows-example.json");
	assert_null(c->linux);
	assert_int_equal(c->process->args.n, 0);
	assert_string_equal(c->process->command_line, "cmd.exe /c echo ready");
	assert_string_equal(c->process->env.v[0], "GREETING=hi");
	spec_free(c);
}

/* linux-full.json: every field brig reads, with its value. */
static void test_full_example_fields(void **state)
{
	(void)state;
	struct spec_config *c = good_file("linux-full.json");
	struct spec_process *p = c->process;
	struct spec_linux *l;
	struct spec_resources *r;
	struct spec_seccomp *s;

	assert_string_equal(c->oci_version, "1.2.1");
	assert_string_equal(c->root->path, "/var/lib/brig-example/rootfs");
	assert_true(c->root->readonly);
	assert_string_equal(c->hostname, "brig-example");
	assert_string_equal(c->domainname, "example.internal");

	/* mounts */
	assert_int_equal(c->n_mounts, 4);
	assert_string_equal(c->mounts[0].destination, "/proc");
	assert_string_equal(c->mounts[0].type, "proc");
	assert_string_equal(c->mounts[0].source, "proc");
	assert_int_equal(c->mounts[0].options.n, 3);
	assert_string_equal(c->mounts[1].options.v[3], "size=8m");
	assert_null(c->mounts[1].options.v[4]);
	assert_int_equal(c->mounts[1].n_uid_mappings, 0);
	assert_string_equal(c->mounts[2].type, "bind");
	assert_string_equal(c->mounts[2].options.v[2], "idmap");
	assert_int_equal(c->mounts[2].n_uid_mappings, 1);
	assert_int_equal(c->mounts[2].uid_mappings[0].host_id, 200000);
	assert_int_equal(c->mounts[2].n_gid_mappings, 1);
	assert_int_equal(c->mounts[2].gid_mappings[0].host_id, 300000);
	assert_int_equal(c->mounts[2].gid_mappings[0].size, 65536);
	assert_string_equal(c->mounts[3].destination, "etc/motd");
	assert_null(c->mounts[3].type);
	assert_string_equal(c->mounts[3].source, "/srv/motd");
	assert_int_equal(c->mounts[3].options.n, 0);

	/* process */
	assert_false(p->terminal);
	assert_true(p->has_console_size);
	assert_int_equal(p->console_height, 40);
	assert_int_equal(p->console_width, 132);
	assert_int_equal(p->user.uid, 1001);
	assert_int_equal(p->user.gid, 1002);
	assert_true(p->user.umask.set);
	assert_int_equal(p->user.umask.v, 022); /* 18 */
	assert_int_equal(p->user.n_additional_gids, 3);
	assert_int_equal(p->user.additional_gids[0], 10);
	assert_int_equal(p->user.additional_gids[2], 4242);
	assert_string_equal(p->user.username, "ignored-on-linux");
	assert_int_equal(p->args.n, 3);
	assert_string_equal(p->args.v[2], "8080");
	assert_int_equal(p->env.n, 2);
	assert_string_equal(spec_getenv(&p->env, "LANG"), "C.UTF-8");
	assert_string_equal(p->cwd, "/home/app");
	assert_non_null(p->capabilities);
	assert_int_equal(p->capabilities->bounding.n, 3);
	assert_string_equal(p->capabilities->bounding.v[2], "CAP_CHOWN");
	assert_int_equal(p->capabilities->effective.n, 1);
	assert_true(p->capabilities->has_inheritable);
	assert_int_equal(p->capabilities->inheritable.n, 0);
	assert_int_equal(p->capabilities->permitted.n, 2);
	assert_true(p->capabilities->has_ambient);
	assert_string_equal(p->capabilities->ambient.v[0], "CAP_NET_BIND_SERVICE");
	assert_int_equal(p->n_rlimits, 3);
	assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(p->rlimits[0].soft, 4096);
	assert_int_equal(p->rlimits[0].hard, 8192);
	assert_int_equal(p->rlimits[1].resource, RLIMIT_CORE);
	assert_int_equal(p->rlimits[1].hard, 0);
	assert_string_equal(p->rlimits[2].type, "RLIMIT_STACK");
	assert_true(p->rlimits[2].hard == UINT64_MAX);
	assert_true(p->no_new_privileges);
	assert_string_equal(p->apparmor_profile, "brig-example-profile");
	assert_true(p->oom_score_adj.set);
	assert_int_equal(p->oom_score_adj.v, -250);
	assert_non_null(p->scheduler);
	assert_string_equal(p->scheduler->policy, "SCHED_BATCH");
	assert_int_equal(p->scheduler->policy_num, SCHED_BATCH);
	assert_int_equal(p->scheduler->nice.v, 5);
	assert_false(p->scheduler->priority.set);
	assert_string_equal(p->scheduler->flags.v[0], "SCHED_FLAG_RESET_ON_FORK");
	assert_non_null(p->io_priority);
	assert_int_equal(p->io_priority->class_num, 2); /* IOPRIO_CLASS_BE */
	assert_int_equal(p->io_priority->priority, 6);
	assert_string_equal(p->exec_cpu_affinity->initial, "0");
	assert_string_equal(p->exec_cpu_affinity->final, "0-1,3");
	assert_string_equal(p->selinux_label, "system_u:system_r:container_t:s0:c7,c9");

	/* hooks: every kind, with args, env and timeouts */
	assert_int_equal(c->hooks.prestart.n, 1);
	assert_string_equal(c->hooks.prestart.v[0].path,
			    "/usr/libexec/brig-example/netsetup");
	assert_string_equal(c->hooks.prestart.v[0].args.v[2], "br-example");
	assert_string_equal(c->hooks.prestart.v[0].env.v[0], "STAGE=prestart");
	assert_false(c->hooks.prestart.v[0].timeout.set);
	assert_int_equal(c->hooks.create_runtime.n, 2);
	assert_true(c->hooks.create_runtime.v[0].timeout.set);
	assert_int_equal(c->hooks.create_runtime.v[0].timeout.v, 3);
	assert_false(c->hooks.create_runtime.v[1].timeout.set);
	assert_int_equal(c->hooks.create_runtime.v[1].args.n, 3);
	assert_int_equal(c->hooks.create_container.n, 1);
	assert_int_equal(c->hooks.create_container.v[0].env.n, 2);
	assert_int_equal(c->hooks.start_container.n, 1);
	assert_string_equal(c->hooks.start_container.v[0].path, "/bin/true");
	assert_int_equal(c->hooks.start_container.v[0].args.n, 0);
	assert_int_equal(c->hooks.poststart.n, 1);
	assert_int_equal(c->hooks.poststart.v[0].timeout.v, 12);
	assert_int_equal(c->hooks.poststop.n, 2);
	assert_int_equal(c->hooks.poststop.v[0].timeout.v, 30);
	assert_string_equal(c->hooks.poststop.v[1].args.v[1], "stopped");

	/* annotations, in document order */
	assert_int_equal(c->annotations.n, 3);
	assert_string_equal(c->annotations.v[0].key, "org.example.brig.owner");
	assert_string_equal(c->annotations.v[1].value, "backend");
	assert_string_equal(c->annotations.v[2].value, "");

	l = c->linux;
	assert_non_null(l);
	assert_int_equal(l->n_devices, 3);
	assert_int_equal(l->devices[0].type, 'c');
	assert_string_equal(l->devices[0].path, "/dev/net/tun");
	assert_int_equal(l->devices[0].major, 10);
	assert_int_equal(l->devices[0].minor, 200);
	assert_int_equal(l->devices[0].file_mode.v, 0660);
	assert_int_equal(l->devices[0].uid.v, 1001);
	assert_int_equal(l->devices[0].gid.v, 1002);
	assert_int_equal(l->devices[1].type, 'b');
	assert_false(l->devices[1].file_mode.set);
	assert_false(l->devices[1].uid.set);
	assert_int_equal(l->devices[2].type, 'p');
	assert_int_equal(l->devices[2].major, -1);
	assert_int_equal(l->devices[2].minor, -1);
	assert_int_equal(l->n_net_devices, 1);
	assert_string_equal(l->net_devices[0].host_name, "eth9");
	assert_string_equal(l->net_devices[0].name, "uplink");
	assert_int_equal(l->n_uid_mappings, 2);
	assert_int_equal(l->uid_mappings[0].host_id, 100000);
	assert_int_equal(l->uid_mappings[1].container_id, 65536);
	assert_int_equal(l->uid_mappings[1].size, 1);
	assert_int_equal(l->n_gid_mappings, 1);
	assert_int_equal(l->gid_mappings[0].size, 70000);
	assert_int_equal(l->sysctl.n, 3);
	assert_string_equal(l->sysctl.v[1].key, "kernel.msgmax");
	assert_string_equal(l->sysctl.v[1].value, "16384");
	assert_string_equal(l->cgroups_path, "/brig-example/web");
	assert_string_equal(l->rootfs_propagation, "unbindable");
	assert_true(l->time_monotonic.set);
	assert_int_equal(l->time_monotonic.secs, 3600);
	assert_int_equal(l->time_monotonic.nanosecs, 250);
	assert_true(l->time_boottime.set);
	assert_int_equal(l->time_boottime.secs, -60);
	assert_int_equal(l->time_boottime.nanosecs, 0);
	assert_int_equal(l->n_namespaces, 8);
	assert_int_equal(l->namespaces[0].type, SPEC_NS_PID);
	assert_null(l->namespaces[0].path);
	assert_int_equal(l->namespaces[1].type, SPEC_NS_NETWORK);
	assert_string_equal(l->namespaces[1].path, "/var/run/netns/brig-example");
	assert_int_equal(l->namespaces[7].type, SPEC_NS_TIME);
	assert_int_equal(l->masked_paths.n, 3);
	assert_string_equal(l->masked_paths.v[2], "/sys/firmware");
	assert_int_equal(l->readonly_paths.n, 2);
	assert_string_equal(l->readonly_paths.v[1], "/proc/sysrq-trigger");
	assert_string_equal(l->mount_label,
			    "system_u:object_r:container_file_t:s0:c7,c9");

	s = l->seccomp;
	assert_non_null(s);
	assert_false(s->deferred);
	assert_string_equal(s->default_action, "SCMP_ACT_ERRNO");
	assert_int_equal(s->default_errno_ret.v, 38);
	assert_int_equal(s->architectures.n, 3);
	assert_string_equal(s->architectures.v[2], "SCMP_ARCH_AARCH64");
	assert_string_equal(s->flags.v[0], "SECCOMP_FILTER_FLAG_LOG");
	assert_string_equal(s->listener_path, "/run/brig-example/agent.sock");
	assert_string_equal(s->listener_metadata, "web");
	assert_int_equal(s->n_syscalls, 4);
	assert_string_equal(s->syscalls[0].names.v[1], "write");
	assert_int_equal(s->syscalls[1].n_args, 2);
	assert_int_equal(s->syscalls[1].args[0].value, 8);
	assert_string_equal(s->syscalls[1].args[0].op, "SCMP_CMP_EQ");
	assert_int_equal(s->syscalls[1].args[1].index, 1);
	assert_int_equal(s->syscalls[1].args[1].value, 255);
	assert_int_equal(s->syscalls[1].args[1].value_two, 3);
	assert_string_equal(s->syscalls[1].args[1].op, "SCMP_CMP_MASKED_EQ");
	assert_false(s->syscalls[1].errno_ret.set);
	assert_true(s->syscalls[2].errno_ret.set);
	assert_int_equal(s->syscalls[2].errno_ret.v, 1);
	assert_string_equal(s->syscalls[3].action, "SCMP_ACT_NOTIFY");

	r = l->resources;
	assert_non_null(r);
	assert_true(r->has_network);
	assert_int_equal(r->net_class_id.v, 65552);
	assert_int_equal(r->n_net_priorities, 2);
	assert_string_equal(r->net_priorities[1].name, "eth0");
	assert_int_equal(r->net_priorities[1].priority, 7);
	assert_true(r->pids_limit.set);
	assert_int_equal(r->pids_limit.v, 512);
	assert_int_equal(r->n_hugepage_limits, 2);
	assert_string_equal(r->hugepage_limits[0].page_size, "1GB");
	assert_true(r->hugepage_limits[0].limit == 2147483648ULL);
	assert_string_equal(r->hugepage_limits[1].page_size, "2MB");
	assert_int_equal(r->hugepage_limits[1].limit, 0);

	assert_non_null(r->memory);
	assert_int_equal(r->memory->limit.v, 268435456);
	assert_int_equal(r->memory->reservation.v, 134217728);
	assert_int_equal(r->memory->swap.v, 536870912);
	assert_true(r->memory->kernel.set);
	assert_int_equal(r->memory->kernel.v, -1);
	assert_int_equal(r->memory->kernel_tcp.v, 16777216);
	assert_int_equal(r->memory->swappiness.v, 60);
	assert_true(r->memory->disable_oom_killer.v);
	assert_true(r->memory->use_hierarchy.set);
	assert_false(r->memory->use_hierarchy.v);
	assert_true(r->memory->check_before_update.v);

	assert_non_null(r->cpu);
	assert_int_equal(r->cpu->shares.v, 512);
	assert_int_equal(r->cpu->quota.v, 50000);
	assert_int_equal(r->cpu->burst.v, 10000);
	assert_int_equal(r->cpu->period.v, 100000);
	assert_int_equal(r->cpu->realtime_runtime.v, 9500);
	assert_int_equal(r->cpu->realtime_period.v, 10000);
	/* idle 0 is a value (not idle), unlike a 0 quota */
	assert_true(r->cpu->idle.set);
	assert_int_equal(r->cpu->idle.v, 0);
	assert_string_equal(r->cpu->cpus, "0-1");
	assert_string_equal(r->cpu->mems, "0");

	assert_int_equal(r->n_devices, 4);
	assert_false(r->devices[0].allow);
	assert_int_equal(r->devices[0].type, 0);
	assert_int_equal(r->devices[0].major, -1);
	assert_int_equal(r->devices[0].minor, -1);
	assert_string_equal(r->devices[0].access, "rwm");
	assert_true(r->devices[1].allow);
	assert_int_equal(r->devices[1].type, 'c');
	assert_int_equal(r->devices[1].minor, 3);
	assert_int_equal(r->devices[2].major, 136);
	assert_int_equal(r->devices[2].minor, -1);
	assert_int_equal(r->devices[3].type, 'b');
	assert_string_equal(r->devices[3].access, "r");

	assert_non_null(r->block_io);
	assert_int_equal(r->block_io->weight.v, 300);
	assert_int_equal(r->block_io->leaf_weight.v, 200);
	assert_int_equal(r->block_io->n_weight_device, 3);
	assert_int_equal(r->block_io->weight_device[0].major, 8);
	assert_int_equal(r->block_io->weight_device[0].weight.v, 700);
	assert_int_equal(r->block_io->weight_device[0].leaf_weight.v, 50);
	assert_int_equal(r->block_io->weight_device[1].minor, 16);
	assert_true(r->block_io->weight_device[1].weight.set);
	assert_false(r->block_io->weight_device[1].leaf_weight.set);
	assert_false(r->block_io->weight_device[2].weight.set);
	assert_int_equal(r->block_io->weight_device[2].leaf_weight.v, 900);
	assert_int_equal(r->block_io->n_throttle_read_bps, 1);
	assert_int_equal(r->block_io->throttle_read_bps[0].rate, 10485760);
	assert_int_equal(r->block_io->n_throttle_write_bps, 2);
	assert_int_equal(r->block_io->throttle_write_bps[1].minor, 16);
	assert_int_equal(r->block_io->throttle_write_bps[1].rate, 1048576);
	assert_int_equal(r->block_io->n_throttle_read_iops, 1);
	assert_int_equal(r->block_io->throttle_read_iops[0].rate, 1500);
	assert_int_equal(r->block_io->n_throttle_write_iops, 1);
	assert_int_equal(r->block_io->throttle_write_iops[0].major, 259);
	assert_int_equal(r->block_io->throttle_write_iops[0].rate, 750);

	assert_int_equal(r->n_rdma, 1);
	assert_string_equal(r->rdma[0].device, "mlx4_1");
	assert_int_equal(r->rdma[0].hca_handles.v, 2);
	assert_int_equal(r->rdma[0].hca_objects.v, 1000);
	assert_int_equal(r->unified.n, 2);
	assert_string_equal(r->unified.v[1].key, "io.weight");
	assert_string_equal(r->unified.v[1].value, "default 100");

	assert_non_null(l->intel_rdt);
	assert_string_equal(l->intel_rdt->clos_id, "brig-example");
	assert_string_equal(l->intel_rdt->l3_cache_schema, "L3:0=7f0");
	assert_string_equal(l->intel_rdt->mem_bw_schema, "MB:0=40");
	assert_string_equal(l->intel_rdt->schemata.v[0], "L2:0=ff");
	assert_true(l->intel_rdt->enable_monitoring.v);
	assert_false(l->intel_rdt->enable_cmt.set);
	assert_non_null(l->memory_policy);
	assert_string_equal(l->memory_policy->mode, "MPOL_INTERLEAVE");
	assert_int_equal(l->memory_policy->mode_num, 3);
	assert_string_equal(l->memory_policy->nodes, "0-1");
	assert_string_equal(l->memory_policy->flags.v[0], "MPOL_F_STATIC_NODES");
	assert_non_null(l->personality);
	assert_string_equal(l->personality->domain, "LINUX32");
	assert_int_equal(l->personality->flags.n, 0);
	spec_free(c);
}

/* ---- errors: types, paths, JSON text ---------------------------------- */

static void test_wrong_type_exact(void **state)
{
	(void)state;
	linux_refused("{\"resources\":{\"memory\":{\"limit\":\"1G\"}}}",
		      "config.json: linux.resources.memory.limit: "
		      "expected an integer");
	refused_exact("{\"ociVersion\":\"1.0.0\",\"mounts\":[{\"destination\":\"/a\"},"
		      "{\"destination\":\"/b\"},{\"destination\":7}]}",
		      "config.json: mounts[2].destination: expected a string");
	refused_exact("{\"ociVersion\":\"1.0.0\",\"mounts\":{}}",
		      "config.json: mounts: expected an array");
	refused_exact("{\"ociVersion\":\"1.0.0\",\"root\":[]}",
		      "config.json: root: expected an object");
	refused_exact("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\",\"readonly\":1}}",
		      "config.json: root.readonly: expected a boolean");
	linux_refused("{\"resources\":{\"memory\":{\"limit\":1.5}}}",
		      "config.json: linux.resources.memory.limit: "
		      "expected an integer");
	linux_refused("{\"resources\":{\"memory\":{\"limit\":1e9}}}",
		      "config.json: linux.resources.memory.limit: "
		      "expected an integer");
	linux_refused("{\"maskedPaths\":[\"/a\",3]}",
		      "config.json: linux.maskedPaths[1]: expected a string");
	linux_refused("{\"sysctl\":{\"net.ipv4.ip_forward\":1}}",
		      "config.json: linux.sysctl[\"net.ipv4.ip_forward\"]: "
		      "expected a string");
	refused_exact("{\"ociVersion\":\"1.0.0\",\"annotations\":{\"a\":true}}",
		      "config.json: annotations.a: expected a string");
}

static void test_invalid_json_position(void **state)
{
	(void)state;
	refused_exact("{\n  \"ociVersion\": \"1.0.0\",\n  \"a\": tru\n}",
		      "config.json: invalid JSON at line 3, column 10: "
		      "lexical error: invalid string in json text.");
	refused_with("{\n  \"ociVersion\": \"1.0.0\",\n  \"a\": [1,]\n}",
		     "config.json: invalid JSON at line 3, column 11: parse error");
	refused_with("{\"ociVersion\": \"1.0.0\"",
		     "config.json: invalid JSON at line 1, column 23: "
		     "parse error: premature EOF");
	refused_with("{} {}", "invalid JSON at line 1, column 4: "
		     "parse error: trailing garbage");
	refused_with("/* comment */ {\"ociVersion\":\"1.0.0\"}",
		     "invalid JSON at line 1, column 1");
	refused_with("{\"ociVersion\":\"1.0.0\",\"hostname\":\"a\\u0000b\"}",
		     "invalid JSON at line 1, column 43: string contains a NUL");
	refused_exact("", "config.json: empty document (expected a JSON object)");
	refused_exact(" \n\t ", "config.json: empty document (expected a JSON object)");
	refused_exact("[]", "config.json: expected a JSON object at the top level");
	refused_exact("\"x\"", "config.json: expected a JSON object at the top level");

	/* a NUL byte in the text itself */
	{
		static const char doc[] = "{\"ociVersion\":\0\"1.0.0\"}";
		brig_error_t *err = NULL;
		assert_null(spec_parse_config(doc, sizeof(doc) - 1, "c.json", &err));
		assert_non_null(strstr(err->msg, "c.json: invalid JSON at line 1, column 15"));
		brig_err_free(&err);
	}
}

static void test_nesting_limit(void **state)
{
	(void)state;
	char deep[400];
	size_t n = 0;
	int levels = 70;

	n += (size_t)snprintf(deep, sizeof(deep), "{\"ociVersion\":\"1.0.0\",\"x\":");
	for (int i = 0; i < levels; i++)
		deep[n++] = '[';
	for (int i = 0; i < levels; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = '\0';
	refused_with(deep, "nested deeper than 64 levels");

	/* 60 levels inside an unknown property are fine */
	n = (size_t)snprintf(deep, sizeof(deep), "{\"ociVersion\":\"1.0.0\",\"x\":");
	for (int i = 0; i < 60; i++)
		deep[n++] = '[';
	for (int i = 0; i < 60; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = '\0';
	spec_free(parse(deep));
}

static void test_unknown_properties_ignored(void **state)
{
	(void)state;
	struct spec_config *c = parse(
		"{\"ociVersion\":\"1.2.0\",\"future\":{\"x\":[1,2]},"
		"\"root\":{\"path\":\"r\",\"shiny\":true},"
		"\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],\"newThing\":1,"
		"\"user\":{\"uid\":0,\"gid\":0,\"extra\":\"y\"}},"
		"\"windows\":{\"layerFolders\":[\"C:\\\\x\"]},"
		"\"solaris\":{\"milestone\":\"x\"},\"vm\":{\"hypervisor\":{}},"
		"\"linux\":{\"newField\":[],\"resources\":{\"oomScoreAdj\":100,"
		"\"memory\":{\"newKnob\":\"x\"}}}}");
	assert_string_equal(c->oci_version, "1.2.0");
	assert_non_null(c->linux->resources->memory);
	assert_false(c->linux->resources->memory->limit.set);
	spec_free(c);
}

static void test_null_is_absent(void **state)
{
	(void)state;
	struct spec_config *c = parse(
		"{\"ociVersion\":\"1.0.0\",\"hostname\":null,\"mounts\":null,"
		"\"linux\":{\"resources\":{\"memory\":{\"limit\":null}}}}");
	assert_null(c->hostname);
	assert_int_equal(c->n_mounts, 0);
	assert_false(c->linux->resources->memory->limit.set);
	spec_free(c);
	refused_exact("{\"ociVersion\":null}",
		      "config.json: missing required property \"ociVersion\"");
}

static void test_duplicate_keys(void **state)
{
	(void)state;
	refused_exact("{\"ociVersion\":\"1.0.0\",\"hostname\":\"a\",\"hostname\":\"b\"}",
		      "config.json: duplicate property \"hostname\"");
	linux_refused("{\"sysctl\":{\"a\":\"1\",\"b\":\"2\",\"a\":\"3\"}}",
		      "config.json: linux.sysctl: duplicate property \"a\"");
	linux_refused("{\"netDevices\":{\"eth0\":{},\"eth0\":{}}}",
		      "config.json: linux.netDevices: duplicate property \"eth0\"");
}

static void test_oci_version(void **state)
{
	(void)state;
	refused_exact("{\"ociVersion\":\"2.0.0\"}",
		      "config.json: ociVersion: unsupported version \"2.0.0\" "
		      "(brig supports 1.x)");
	refused_exact("{\"ociVersion\":\"10.1.0\"}",
		      "config.json: ociVersion: unsupported version \"10.1.0\" "
		      "(brig supports 1.x)");
	refused_exact("{\"ociVersion\":\"banana\"}",
		      "config.json: ociVersion: invalid version \"banana\"");
	refused_exact("{\"ociVersion\":1}",
		      "config.json: ociVersion: expected a string");
	refused_exact("{\"root\":{\"path\":\"r\"}}",
		      "config.json: missing required property \"ociVersion\"");
	spec_free(parse("{\"ociVersion\":\"1.3.0\"}"));
	spec_free(parse("{\"ociVersion\":\"1.0.2-dev\"}"));
}

static void test_missing_required(void **state)
{
	(void)state;
	refused_exact("{\"ociVersion\":\"1.0.0\",\"root\":{}}",
		      "config.json: root: missing required property \"path\"");
	refused_exact("{\"ociVersion\":\"1.0.0\",\"mounts\":[{\"type\":\"proc\"}]}",
		      "config.json: mounts[0]: missing required property "
		      "\"destination\"");
	process_refused("{\"args\":[\"sh\"]}",
			"config.json: process: missing required property \"cwd\"");
	process_refused("{\"cwd\":\"/\",\"user\":{\"uid\":0}}",
			"config.json: process.user: missing required property "
			"\"gid\"");
	process_refused("{\"cwd\":\"/\",\"consoleSize\":{\"height\":5}}",
			"config.json: process.consoleSize: missing required "
			"property \"width\"");
	refused_exact("{\"ociVersion\":\"1.0.0\",\"hooks\":{\"poststop\":[{\"path\":\"/a\"},{}]}}",
		      "config.json: hooks.poststop[1]: missing required property "
		      "\"path\"");
	linux_refused("{\"namespaces\":[{\"path\":\"/proc/1/ns/net\"}]}",
		      "config.json: linux.namespaces[0]: missing required "
		      "property \"type\"");
	linux_refused("{\"uidMappings\":[{\"containerID\":0,\"hostID\":1}]}",
		      "config.json: linux.uidMappings[0]: missing required "
		      "property \"size\"");
	linux_refused("{\"devices\":[{\"path\":\"/dev/x\"}]}",
		      "config.json: linux.devices[0]: missing required property "
		      "\"type\"");
	linux_refused("{\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":1}]}",
		      "config.json: linux.devices[0]: missing required property "
		      "\"minor\"");
	linux_refused("{\"seccomp\":{}}",
		      "config.json: linux.seccomp: missing required property "
		      "\"defaultAction\"");
	linux_refused("{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		      "\"syscalls\":[{\"action\":\"SCMP_ACT_ERRNO\"}]}}",
		      "config.json: linux.seccomp.syscalls[0]: missing required "
		      "property \"names\"");
	linux_refused("{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		      "\"syscalls\":[{\"names\":[\"x\"]}]}}",
		      "config.json: linux.seccomp.syscalls[0]: missing required "
		      "property \"action\"");
	linux_refused("{\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"2MB\"}]}}",
		      "config.json: linux.resources.hugepageLimits[0]: missing "
		      "required property \"limit\"");
	linux_refused("{\"resources\":{\"hugepageLimits\":[{\"limit\":1}]}}",
		      "config.json: linux.resources.hugepageLimits[0]: missing "
		      "required property \"pageSize\"");
	linux_refused("{\"resources\":{\"pids\":{}}}",
		      "config.json: linux.resources.pids: missing required "
		      "property \"limit\"");
	linux_refused("{\"resources\":{\"devices\":[{\"access\":\"rwm\"}]}}",
		      "config.json: linux.resources.devices[0]: missing required "
		      "property \"allow\"");
	linux_refused("{\"memoryPolicy\":{\"nodes\":\"0\"}}",
		      "config.json: linux.memoryPolicy: missing required "
		      "property \"mode\"");
	linux_refused("{\"personality\":{}}",
		      "config.json: linux.personality: missing required "
		      "property \"domain\"");

	/* a device of type p needs no numbers */
	{
		char *doc = with_linux("{\"devices\":[{\"type\":\"p\",\"path\":\"/dev/fifo\"}]}");
		struct spec_config *c = parse(doc);
		assert_int_equal(c->linux->devices[0].type, 'p');
		assert_int_equal(c->linux->devices[0].major, -1);
		assert_false(c->linux->devices[0].file_mode.set);
		spec_free(c);
		free(doc);
	}
}

static void test_value_checks(void **state)
{
	(void)state;
	process_refused("{\"cwd\":\"tmp\"}",
			"config.json: process.cwd: must be an absolute path, "
			"not \"tmp\"");
	process_refused("{\"cwd\":\"/\",\"args\":[]}",
			"config.json: process.args: must contain at least one entry");
	process_refused("{\"cwd\":\"/\",\"oomScoreAdj\":1001}",
			"config.json: process.oomScoreAdj: value 1001 out of "
			"range (-1000..1000)");
	process_refused("{\"cwd\":\"/\",\"scheduler\":{\"policy\":\"SCHED_FAST\"}}",
			"config.json: process.scheduler.policy: unknown "
			"scheduler policy \"SCHED_FAST\"");
	process_refused("{\"cwd\":\"/\",\"ioPriority\":{\"class\":\"IOPRIO_CLASS_X\"}}",
			"config.json: process.ioPriority.class: unknown I/O "
			"priority class \"IOPRIO_CLASS_X\"");
	process_refused("{\"cwd\":\"/\",\"execCPUAffinity\":{\"initial\":\"0-3;7\"}}",
			"config.json: process.execCPUAffinity.initial: invalid "
			"CPU list \"0-3;7\"");
	refused_exact("{\"ociVersion\":\"1.0.0\",\"hooks\":{\"prestart\":[{\"path\":\"/a\",\"timeout\":0}]}}",
		      "config.json: hooks.prestart[0].timeout: value 0 out of "
		      "range (1..9223372036854775807)");
	refused_exact("{\"ociVersion\":\"1.0.0\",\"hooks\":{\"prestart\":[{\"path\":\"a\"}]}}",
		      "config.json: hooks.prestart[0].path: must be an absolute "
		      "path, not \"a\"");
	linux_refused("{\"rootfsPropagation\":\"rslave\",\"mountLabel\":1}",
		      "config.json: linux.mountLabel: expected a string");
	linux_refused("{\"rootfsPropagation\":\"sideways\"}",
		      "config.json: linux.rootfsPropagation: unknown rootfs "
		      "propagation \"sideways\"");
	linux_refused("{\"devices\":[{\"type\":\"x\",\"path\":\"/dev/x\"}]}",
		      "config.json: linux.devices[0].type: invalid device type "
		      "\"x\" (expected c, b, u or p)");
	linux_refused("{\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":1,"
		      "\"minor\":3,\"fileMode\":4294967296}]}",
		      "config.json: linux.devices[0].fileMode: value 4294967296 out of "
		      "range (0..4294967295)");
	linux_refused("{\"readonlyPaths\":[\"/proc/sys\",\"proc/bus\"]}",
		      "config.json: linux.readonlyPaths[1]: must be an absolute "
		      "path, not \"proc/bus\"");
	linux_refused("{\"timeOffsets\":{\"realtime\":{\"secs\":1}}}",
		      "config.json: linux.timeOffsets.realtime: unknown clock "
		      "(expected \"monotonic\" or \"boottime\")");
	linux_refused("{\"timeOffsets\":{\"boottime\":{\"nanosecs\":1000000000}}}",
		      "config.json: linux.timeOffsets.boottime.nanosecs: value "
		      "1000000000 out of range (0..999999999)");
	linux_refused("{\"resources\":{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}}",
		      "config.json: linux.resources.devices[0].access: invalid "
		      "access \"rwx\" (expected a combination of r, w and m)");
	linux_refused("{\"resources\":{\"blockIO\":{\"weight\":70000}}}",
		      "config.json: linux.resources.blockIO.weight: value 70000 "
		      "out of range (0..65535)");
	linux_refused("{\"resources\":{\"rdma\":{\"mlx\":{}}}}",
		      "config.json: linux.resources.rdma.mlx: needs at least one "
		      "of hcaHandles and hcaObjects");
	linux_refused("{\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"flags\":[\"MPOL_F_X\"]}}",
		      "config.json: linux.memoryPolicy.flags[0]: unknown memory "
		      "policy flag \"MPOL_F_X\"");
	linux_refused("{\"intelRdt\":{\"memBwSchema\":\"L3:0=1\"}}",
		      "config.json: linux.intelRdt.memBwSchema: must start with "
		      "\"MB:\" and hold one line");
	refused_exact("{\"ociVersion\":\"1.0.0\",\"mounts\":[{\"destination\":\"/a\","
		      "\"uidMappings\":[{\"containerID\":0,\"hostID\":1,\"size\":1}]}]}",
		      "config.json: mounts[0]: uidMappings given without gidMappings");
}

static void test_process_fields(void **state)
{
	(void)state;
	char *doc = with_process(
		"{\"terminal\":true,\"consoleSize\":{\"height\":24,\"width\":80},"
		"\"cwd\":\"/root\",\"args\":[\"sh\",\"-c\",\"x\"],"
		"\"env\":[\"A=1\",\"PATH=/bin\",\"A=2\"],"
		"\"user\":{\"uid\":1000,\"gid\":100,\"umask\":18,"
		"\"additionalGids\":[4,4294967295],\"username\":\"u\"},"
		"\"oomScoreAdj\":-500,\"apparmorProfile\":\"p\","
		"\"selinuxLabel\":\"l\",\"commandLine\":\"c\","
		"\"scheduler\":{\"policy\":\"SCHED_DEADLINE\",\"nice\":-5,"
		"\"runtime\":100,\"deadline\":200,\"period\":300,"
		"\"flags\":[\"SCHED_FLAG_RECLAIM\"]},"
		"\"ioPriority\":{\"class\":\"IOPRIO_CLASS_IDLE\",\"priority\":7},"
		"\"execCPUAffinity\":{\"initial\":\"0-3,7\",\"final\":\"1\"}}");
	struct spec_config *c = parse(doc);
	struct spec_process *p = c->process;

	assert_true(p->terminal);
	assert_true(p->has_console_size);
	assert_int_equal(p->console_height, 24);
	assert_int_equal(p->console_width, 80);
	assert_string_equal(p->cwd, "/root");
	assert_int_equal(p->args.n, 3);
	assert_null(p->args.v[3]);
	assert_int_equal(p->user.uid, 1000);
	assert_int_equal(p->user.gid, 100);
	assert_true(p->user.umask.set);
	assert_int_equal(p->user.umask.v, 18);
	assert_int_equal(p->user.additional_gids[1], 4294967295u);
	assert_string_equal(p->user.username, "u");
	assert_true(p->oom_score_adj.set);
	assert_int_equal(p->oom_score_adj.v, -500);
	assert_int_equal(p->scheduler->policy_num, SCHED_DEADLINE);
	assert_int_equal(p->scheduler->nice.v, -5);
	assert_false(p->scheduler->priority.set);
	assert_int_equal(p->scheduler->period.v, 300);
	assert_string_equal(p->scheduler->flags.v[0], "SCHED_FLAG_RECLAIM");
	assert_int_equal(p->io_priority->class_num, 3);
	assert_int_equal(p->io_priority->priority, 7);
	assert_string_equal(p->exec_cpu_affinity->initial, "0-3,7");
	assert_string_equal(p->command_line, "c");
	assert_null(p->capabilities);
	assert_false(p->no_new_privileges);

	assert_string_equal(spec_getenv(&p->env, "A"), "2");
	assert_string_equal(spec_getenv(&p->env, "PATH"), "/bin");
	assert_null(spec_getenv(&p->env, "PAT"));
	assert_null(spec_getenv(&p->env, "HOME"));
	spec_free(c);
	free(doc);

	/* no user: root */
	doc = with_process("{\"cwd\":\"/\"}");
	c = parse(doc);
	assert_int_equal(c->process->user.uid, 0);
	assert_false(c->process->user.umask.set);
	assert_false(c->process->has_console_size);
	spec_free(c);
	free(doc);

	process_refused("{\"cwd\":\"/\",\"user\":{\"uid\":-1,\"gid\":0}}",
			"config.json: process.user.uid: expected a non-negative integer");
	process_refused("{\"cwd\":\"/\",\"user\":{\"uid\":4294967296,\"gid\":0}}",
			"config.json: process.user.uid: value 4294967296 out of "
			"range (0..4294967295)");
	process_refused("{\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0,"
			"\"additionalGids\":[1,\"2\"]}}",
			"config.json: process.user.additionalGids[1]: expected "
			"an integer");
}

static void test_rlimits(void **state)
{
	(void)state;
	char *doc = with_process(
		"{\"cwd\":\"/\",\"rlimits\":["
		"{\"type\":\"RLIMIT_NOFILE\",\"soft\":1024,\"hard\":4096},"
		"{\"type\":\"RLIMIT_CORE\",\"soft\":18446744073709551615,"
		"\"hard\":18446744073709551615},"
		"{\"type\":\"RLIMIT_RTTIME\",\"soft\":0,\"hard\":0}]}");
	struct spec_config *c = parse(doc);
	struct spec_process *p = c->process;

	assert_int_equal(p->n_rlimits, 3);
	assert_string_equal(p->rlimits[0].type, "RLIMIT_NOFILE");
	assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(p->rlimits[0].soft, 1024);
	assert_int_equal(p->rlimits[0].hard, 4096);
	assert_int_equal(p->rlimits[1].resource, RLIMIT_CORE);
	assert_true(p->rlimits[1].soft == UINT64_MAX);
	assert_int_equal(p->rlimits[2].resource, RLIMIT_RTTIME);
	spec_free(c);
	free(doc);

	process_refused("{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_FOO\","
			"\"soft\":1,\"hard\":1}]}",
			"config.json: process.rlimits[0].type: unknown rlimit "
			"\"RLIMIT_FOO\"");
	process_refused("{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
			"\"soft\":1}]}",
			"config.json: process.rlimits[0]: missing required "
			"property \"hard\"");
	process_refused("{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
			"\"soft\":1,\"hard\":1},{\"type\":\"RLIMIT_NOFILE\","
			"\"soft\":2,\"hard\":2}]}",
			"config.json: process.rlimits[1]: duplicate rlimit "
			"\"RLIMIT_NOFILE\"");
	process_refused("{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
			"\"soft\":10,\"hard\":5}]}",
			"config.json: process.rlimits[0]: soft limit 10 is greater "
			"than hard limit 5");
	process_refused("{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
			"\"soft\":-1,\"hard\":5}]}",
			"config.json: process.rlimits[0].soft: expected a "
			"non-negative integer");
	process_refused("{\"cwd\":\"/\",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
			"\"soft\":18446744073709551616,\"hard\":5}]}",
			"config.json: process.rlimits[0].soft: value "
			"18446744073709551616 out of range");
}

static void test_namespaces(void **state)
{
	(void)state;
	char *doc = with_linux(
		"{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\","
		"\"path\":\"/var/run/netns/a\"},{\"type\":\"mount\"},"
		"{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"user\"},"
		"{\"type\":\"cgroup\"},{\"type\":\"time\"}]}");
	struct spec_config *c = parse(doc);
	const struct spec_namespace *ns;

	assert_int_equal(c->linux->n_namespaces, 8);
	assert_int_equal(c->linux->namespaces[0].type, SPEC_NS_PID);
	assert_int_equal(c->linux->namespaces[7].type, SPEC_NS_TIME);
	ns = spec_find_ns(c, SPEC_NS_NETWORK);
	assert_non_null(ns);
	assert_string_equal(ns->path, "/var/run/netns/a");
	ns = spec_find_ns(c, SPEC_NS_USER);
	assert_non_null(ns);
	assert_null(ns->path);
	for (int t = 0; t < SPEC_NS_COUNT; t++)
		assert_non_null(spec_find_ns(c, (enum spec_ns_type)t));
	spec_free(c);
	free(doc);

	assert_string_equal(spec_ns_name(SPEC_NS_PID), "pid");
	assert_string_equal(spec_ns_name(SPEC_NS_NETWORK), "network");
	assert_string_equal(spec_ns_name(SPEC_NS_MOUNT), "mount");
	assert_string_equal(spec_ns_name(SPEC_NS_CGROUP), "cgroup");
	assert_string_equal(spec_ns_name(SPEC_NS_TIME), "time");

	doc = with_linux("{\"namespaces\":[{\"type\":\"uts\"}]}");
	c = parse(doc);
	assert_null(spec_find_ns(c, SPEC_NS_PID));
	spec_free(c);
	free(doc);
	c = parse("{\"ociVersion\":\"1.0.0\"}");
	assert_null(c->linux);
	assert_null(spec_find_ns(c, SPEC_NS_PID));
	spec_free(c);

	linux_refused("{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"net\"}]}",
		      "config.json: linux.namespaces[1].type: unknown namespace "
		      "type \"net\"");
	linux_refused("{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"uts\"},"
		      "{\"type\":\"pid\",\"path\":\"/proc/1/ns/pid\"}]}",
		      "config.json: linux.namespaces[2]: duplicate namespace "
		      "type \"pid\"");
	linux_refused("{\"namespaces\":[{\"type\":\"pid\",\"path\":\"proc/1/ns/pid\"}]}",
		      "config.json: linux.namespaces[0].path: must be an "
		      "absolute path, not \"proc/1/ns/pid\"");
	linux_refused("{\"namespaces\":[\"pid\"]}",
		      "config.json: linux.namespaces[0]: expected an object");
}

static void test_capabilities(void **state)
{
	(void)state;
	char *doc = with_process(
		"{\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_KILL\","
		"\"CAP_CHOWN\"],\"effective\":[],\"ambient\":[\"CAP_KILL\"]}}");
	struct spec_config *c = parse(doc);
	struct spec_capabilities *k = c->process->capabilities;

	assert_non_null(k);
	assert_true(k->has_bounding);
	assert_int_equal(k->bounding.n, 2);
	assert_string_equal(k->bounding.v[1], "CAP_CHOWN");
	assert_true(k->has_effective);
	assert_int_equal(k->effective.n, 0);
	assert_false(k->has_inheritable);
	assert_false(k->has_permitted);
	assert_null(k->permitted.v);
	assert_true(k->has_ambient);
	spec_free(c);
	free(doc);

	process_refused("{\"cwd\":\"/\",\"capabilities\":{\"permitted\":\"CAP_KILL\"}}",
			"config.json: process.capabilities.permitted: expected "
			"an array");
	process_refused("{\"cwd\":\"/\",\"capabilities\":[]}",
			"config.json: process.capabilities: expected an object");
}

static void test_seccomp(void **state)
{
	(void)state;
	char *doc = with_linux(
		"{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		"\"defaultErrnoRet\":38,\"architectures\":[\"SCMP_ARCH_X86_64\"],"
		"\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
		"\"listenerPath\":\"/run/agent.sock\",\"listenerMetadata\":\"m\","
		"\"syscalls\":[{\"names\":[\"read\",\"write\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"},"
		"{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\","
		"\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_EQ\"},"
		"{\"index\":5,\"value\":18446744073709551615,"
		"\"valueTwo\":4294967295,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
		"{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_ERRNO\","
		"\"errnoRet\":1}]}}");
	struct spec_config *c = parse(doc);
	struct spec_seccomp *s = c->linux->seccomp;

	assert_string_equal(s->default_action, "SCMP_ACT_ERRNO");
	assert_true(s->default_errno_ret.set);
	assert_int_equal(s->default_errno_ret.v, 38);
	assert_string_equal(s->architectures.v[0], "SCMP_ARCH_X86_64");
	assert_string_equal(s->flags.v[0], "SECCOMP_FILTER_FLAG_LOG");
	assert_string_equal(s->listener_path, "/run/agent.sock");
	assert_string_equal(s->listener_metadata, "m");
	assert_int_equal(s->n_syscalls, 3);
	assert_int_equal(s->syscalls[0].names.n, 2);
	assert_int_equal(s->syscalls[0].n_args, 0);
	assert_false(s->syscalls[0].errno_ret.set);
	assert_int_equal(s->syscalls[1].n_args, 2);
	assert_int_equal(s->syscalls[1].args[0].index, 0);
	assert_string_equal(s->syscalls[1].args[0].op, "SCMP_CMP_EQ");
	assert_int_equal(s->syscalls[1].args[0].value_two, 0);
	assert_int_equal(s->syscalls[1].args[1].index, 5);
	assert_true(s->syscalls[1].args[1].value == UINT64_MAX);
	assert_int_equal(s->syscalls[1].args[1].value_two, 4294967295u);
	assert_string_equal(s->syscalls[1].args[1].op, "SCMP_CMP_MASKED_EQ");
	assert_true(s->syscalls[2].errno_ret.set);
	assert_int_equal(s->syscalls[2].errno_ret.v, 1);
	spec_free(c);
	free(doc);

#define SC(x) "{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"," x "}}"
	linux_refused(SC("\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\","
			 "\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]"),
		      "config.json: linux.seccomp.syscalls[0].args[0].index: "
		      "value 6 out of range (0..5)");
	linux_refused(SC("\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\","
			 "\"args\":[{\"index\":1,\"value\":1,\"op\":\"SCMP_CMP_XX\"}]}]"),
		      "config.json: linux.seccomp.syscalls[0].args[0].op: "
		      "unknown seccomp operator \"SCMP_CMP_XX\"");
	linux_refused(SC("\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\","
			 "\"args\":[{\"index\":1,\"op\":\"SCMP_CMP_EQ\"}]}]"),
		      "config.json: linux.seccomp.syscalls[0].args[0]: missing "
		      "required property \"value\"");
	linux_refused(SC("\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\","
			 "\"args\":[{\"index\":1,\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}]}]"),
		      "config.json: linux.seccomp.syscalls[0].args[0].value: "
		      "expected a non-negative integer");
	linux_refused(SC("\"syscalls\":[{\"names\":[],\"action\":\"SCMP_ACT_ALLOW\"}]"),
		      "config.json: linux.seccomp.syscalls[0].names: must "
		      "contain at least one entry");
	linux_refused(SC("\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_MAYBE\"}]"),
		      "config.json: linux.seccomp.syscalls[0].action: unknown "
		      "seccomp action \"SCMP_ACT_MAYBE\"");
	linux_refused(SC("\"architectures\":[\"SCMP_ARCH_X86\",\"SCMP_ARCH_Z80\"]"),
		      "config.json: linux.seccomp.architectures[1]: unknown "
		      "seccomp architecture \"SCMP_ARCH_Z80\"");
	linux_refused(SC("\"flags\":[\"SECCOMP_FILTER_FLAG_X\"]"),
		      "config.json: linux.seccomp.flags[0]: unknown seccomp flag "
		      "\"SECCOMP_FILTER_FLAG_X\"");
	linux_refused(SC("\"defaultErrnoRet\":4294967296"),
		      "config.json: linux.seccomp.defaultErrnoRet: value "
		      "4294967296 out of range (0..4294967295)");
	linux_refused(SC("\"listenerMetadata\":\"x\""),
		      "config.json: linux.seccomp.listenerMetadata: set without "
		      "listenerPath");
#undef SC
}

static void test_idmaps(void **state)
{
	(void)state;
	char *doc = xasprintf(
		"{\"ociVersion\":\"1.0.0\",\"mounts\":[{\"destination\":\"/data\","
		"\"source\":\"/srv\",\"options\":[\"rbind\",\"idmap\"],"
		"\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
		"\"gidMappings\":[{\"containerID\":0,\"hostID\":200000,\"size\":1},"
		"{\"containerID\":1,\"hostID\":4294967295,\"size\":1}]}],"
		"\"linux\":{\"uidMappings\":[{\"containerID\":0,\"hostID\":1000,"
		"\"size\":1},{\"containerID\":1,\"hostID\":100000,\"size\":65535}],"
		"\"gidMappings\":[]}}");
	struct spec_config *c = parse(doc);
	struct spec_mount *m = &c->mounts[0];

	assert_null(m->type);
	assert_string_equal(m->source, "/srv");
	assert_int_equal(m->n_uid_mappings, 1);
	assert_int_equal(m->uid_mappings[0].host_id, 100000);
	assert_int_equal(m->uid_mappings[0].size, 65536);
	assert_int_equal(m->n_gid_mappings, 2);
	assert_int_equal(m->gid_mappings[1].host_id, 4294967295u);
	assert_int_equal(c->linux->n_uid_mappings, 2);
	assert_int_equal(c->linux->uid_mappings[1].container_id, 1);
	assert_int_equal(c->linux->uid_mappings[1].size, 65535);
	assert_int_equal(c->linux->n_gid_mappings, 0);
	assert_null(c->linux->gid_mappings);
	spec_free(c);
	free(doc);

	linux_refused("{\"gidMappings\":[{\"containerID\":0,\"hostID\":-5,\"size\":1}]}",
		      "config.json: linux.gidMappings[0].hostID: expected a "
		      "non-negative integer");
	linux_refused("{\"uidMappings\":[{\"containerID\":0,\"hostID\":0,"
		      "\"size\":4294967296}]}",
		      "config.json: linux.uidMappings[0].size: value 4294967296 "
		      "out of range (0..4294967295)");
	linux_refused("{\"uidMappings\":{\"containerID\":0}}",
		      "config.json: linux.uidMappings: expected an array");
}

static void test_linux_misc(void **state)
{
	(void)state;
	char *doc = with_linux(
		"{\"netDevices\":{\"eth0\":{\"name\":\"ceth0\"},\"ens4\":{}},"
		"\"intelRdt\":{\"closID\":\"g\",\"schemata\":[\"L3:0=7f0\"],"
		"\"memBwSchema\":\"MB:0=20\",\"enableMonitoring\":true},"
		"\"memoryPolicy\":{\"mode\":\"MPOL_INTERLEAVE\",\"nodes\":\"2-3\","
		"\"flags\":[\"MPOL_F_STATIC_NODES\"]},"
		"\"personality\":{\"domain\":\"LINUX32\"},"
		"\"rootfsPropagation\":\"runbindable\","
		"\"timeOffsets\":{\"boottime\":{\"secs\":-10,\"nanosecs\":5}},"
		"\"resources\":{\"unified\":{\"memory.high\":\"1G\"},"
		"\"cpu\":{\"idle\":1,\"burst\":5},\"pids\":{\"limit\":-1}}}");
	struct spec_config *c = parse(doc);
	struct spec_linux *l = c->linux;

	assert_int_equal(l->n_net_devices, 2);
	assert_string_equal(l->net_devices[0].host_name, "eth0");
	assert_string_equal(l->net_devices[0].name, "ceth0");
	assert_string_equal(l->net_devices[1].host_name, "ens4");
	assert_null(l->net_devices[1].name);
	assert_string_equal(l->intel_rdt->clos_id, "g");
	assert_true(l->intel_rdt->enable_monitoring.set);
	assert_true(l->intel_rdt->enable_monitoring.v);
	assert_int_equal(l->memory_policy->mode_num, 3); /* MPOL_INTERLEAVE */
	assert_string_equal(l->memory_policy->flags.v[0], "MPOL_F_STATIC_NODES");
	assert_string_equal(l->personality->domain, "LINUX32");
	assert_string_equal(l->rootfs_propagation, "runbindable");
	assert_false(l->time_monotonic.set);
	assert_true(l->time_boottime.set);
	assert_int_equal(l->time_boottime.secs, -10);
	assert_int_equal(l->time_boottime.nanosecs, 5);
	assert_string_equal(l->resources->unified.v[0].key, "memory.high");
	assert_int_equal(l->resources->cpu->idle.v, 1);
	assert_true(l->resources->pids_limit.set);
	assert_int_equal(l->resources->pids_limit.v, -1);
	assert_false(l->resources->has_network);
	spec_free(c);
	free(doc);
}

/* ---- standalone process.json and resources JSON ------------------------ */

static void test_process_json(void **state)
{
	(void)state;
	static const char doc[] =
		"{\"terminal\":false,\"user\":{\"uid\":5,\"gid\":6},"
		"\"args\":[\"/bin/ls\",\"-l\"],\"env\":[\"TERM=xterm\"],"
		"\"cwd\":\"/tmp\",\"noNewPrivileges\":true,"
		"\"capabilities\":{\"bounding\":[\"CAP_KILL\"]}}";
	brig_error_t *err = NULL;
	struct spec_process *p = spec_parse_process(doc, strlen(doc),
						    "process.json", &err);
	assert_non_null(p);
	assert_int_equal(p->user.uid, 5);
	assert_string_equal(p->args.v[0], "/bin/ls");
	assert_string_equal(p->cwd, "/tmp");
	assert_true(p->no_new_privileges);
	assert_true(p->capabilities->has_bounding);
	spec_process_free(p);
	spec_process_free(NULL);

	static const char bad[] = "{\"cwd\":\"/\",\"args\":\"ls\"}";
	p = spec_parse_process(bad, strlen(bad), "process.json", &err);
	assert_null(p);
	assert_string_equal(err->msg, "process.json: args: expected an array");
	brig_err_free(&err);

	static const char nocwd[] = "{\"args\":[\"ls\"]}";
	p = spec_parse_process(nocwd, strlen(nocwd), "p.json", &err);
	assert_null(p);
	assert_string_equal(err->msg, "p.json: missing required property \"cwd\"");
	brig_err_free(&err);

	p = spec_parse_process("{,", 2, "process.json", &err);
	assert_null(p);
	assert_non_null(strstr(err->msg, "process.json: invalid JSON at line 1, column 2"));
	brig_err_free(&err);
}

static void test_resources_json(void **state)
{
	(void)state;
	static const char doc[] =
		"{\"memory\":{\"limit\":1073741824,\"swap\":-1},"
		"\"cpu\":{\"shares\":512,\"quota\":-1,\"period\":100000,"
		"\"cpus\":\"0-1\"},\"pids\":{\"limit\":100},"
		"\"blockIO\":{\"weight\":300},"
		"\"network\":{\"classID\":5},"
		"\"rdma\":{\"mlx4_0\":{\"hcaObjects\":1000}},"
		"\"unified\":{\"io.max\":\"8:0 rbps=1\"}}";
	brig_error_t *err = NULL;
	struct spec_resources *r = spec_parse_resources(doc, strlen(doc),
							"resources.json", &err);
	assert_non_null(r);
	assert_int_equal(r->memory->limit.v, 1073741824);
	assert_int_equal(r->memory->swap.v, -1);
	assert_false(r->memory->reservation.set);
	assert_int_equal(r->cpu->shares.v, 512);
	assert_int_equal(r->cpu->quota.v, -1);
	assert_string_equal(r->cpu->cpus, "0-1");
	assert_int_equal(r->pids_limit.v, 100);
	assert_int_equal(r->block_io->weight.v, 300);
	assert_true(r->has_network);
	assert_int_equal(r->net_class_id.v, 5);
	assert_string_equal(r->rdma[0].device, "mlx4_0");
	assert_false(r->rdma[0].hca_handles.set);
	assert_int_equal(r->rdma[0].hca_objects.v, 1000);
	assert_string_equal(r->unified.v[0].value, "8:0 rbps=1");
	spec_resources_free(r);
	spec_resources_free(NULL);

	static const char bad[] = "{\"memory\":{\"limit\":\"1G\"}}";
	r = spec_parse_resources(bad, strlen(bad), "resources.json", &err);
	assert_null(r);
	assert_string_equal(err->msg,
			    "resources.json: memory.limit: expected an integer");
	brig_err_free(&err);

	static const char bad2[] = "{\"memory\":{\"swappiness\":101}}";
	r = spec_parse_resources(bad2, strlen(bad2), "-", &err);
	assert_null(r);
	assert_string_equal(err->msg,
			    "-: memory.swappiness: value 101 out of range (0..100)");
	brig_err_free(&err);

	r = spec_parse_resources("{}", 2, "resources.json", &err);
	assert_non_null(r);
	assert_null(r->memory);
	assert_int_equal(r->n_devices, 0);
	spec_resources_free(r);
}

/* ---- bundles ----------------------------------------------------------- */

static void test_load_bundle(void **state)
{
	(void)state;
	char dir[] = "/tmp/brig-test-spec-XXXXXX";
	brig_error_t *err = NULL;
	struct spec_config *c;
	char *path, *msg;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	c = spec_load_bundle(dir, &err);
	assert_null(c);
	msg = xasprintf("config.json: open %s/config.json: no such file or "
			"directory", dir);
	assert_string_equal(err->msg, msg);
	assert_int_equal(err->code, ENOENT);
	free(msg);
	brig_err_free(&err);

	path = xasprintf("%s/config.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\n"
	      " \"linux\":{\"resources\":{\"memory\":{\"limit\":true}}}}\n", f);
	fclose(f);
	c = spec_load_bundle(dir, &err);
	assert_null(c);
	assert_string_equal(err->msg, "config.json: linux.resources.memory.limit: "
			    "expected an integer");
	brig_err_free(&err);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"}}\n", f);
	fclose(f);
	c = spec_load_bundle(dir, &err);
	assert_non_null(c);
	assert_string_equal(c->root->path, "rootfs");
	spec_free(c);
	spec_free(NULL);

	unlink(path);
	rmdir(dir);
	free(path);
}

/* The tree is built in chunks (malloc'd for a small document, mapped 64
 * KiB ones for a large one): a document whose tree needs several, with
 * containers that close across chunk boundaries, reads the same as a
 * small one; integers keep their text and value. */
static void large_document(size_t n)
{
	size_t cap = n * 64 + 256, len = 0;
	char *doc = xmalloc(cap);

	len += (size_t)snprintf(doc + len, cap - len,
				"{\"ociVersion\":\"1.0.0\",\"annotations\":{");
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(doc + len, cap - len, "%s\"k%zu\":\"value %zu\"",
					i ? "," : "", i, i);
	len += (size_t)snprintf(doc + len, cap - len,
				"},\"linux\":{\"resources\":{\"pids\":{\"limit\":-1},"
				"\"memory\":{\"limit\":9223372036854775807}}}}");
	struct spec_config *c = parse(doc);
	assert_int_equal(c->annotations.n, n);
	assert_string_equal(c->annotations.v[0].key, "k0");
	char *k = xasprintf("k%zu", n - 1), *v = xasprintf("value %zu", n - 1);
	assert_string_equal(c->annotations.v[n - 1].key, k);
	assert_string_equal(c->annotations.v[n - 1].value, v);
	free(k);
	free(v);
	assert_true(c->linux->resources->pids_limit.set);
	assert_int_equal(c->linux->resources->pids_limit.v, -1);
	assert_true(c->linux->resources->memory->limit.set);
	assert_true(c->linux->resources->memory->limit.v == INT64_MAX);
	spec_free(c);
	free(doc);
}

static void test_large_document(void **state)
{
	(void)state;
	large_document(6000); /* mapped chunks */
	large_document(40);   /* one malloc'd chunk */
	large_document(150);  /* a small document whose tree outgrows it */
}

/* `create` reads linux.seccomp in two steps: the parent only the listener
 * fields, the init the rest; the rest reads (and fails) as it would in one
 * step. */
static void test_seccomp_deferred(void **state)
{
	(void)state;
	brig_error_t *err = NULL;
	char *doc = with_linux(
		"{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		"\"listenerPath\":\"/run/agent.sock\",\"listenerMetadata\":\"m\","
		"\"syscalls\":[{\"names\":[\"read\",\"write\"],"
		"\"action\":\"SCMP_ACT_ALLOW\"}]}}");
	struct spec_config *c = spec_parse_config_deferred(doc, strlen(doc), "config.json", &err);
	assert_non_null(c);
	struct spec_seccomp *s = c->linux->seccomp;
	assert_true(s->deferred);
	/* where its text lies: from its '{' to its '}' */
	const char *obj = strstr(doc, "{\"defaultAction");
	assert_int_equal(s->json_off, obj - doc);
	assert_int_equal(s->json_len, strlen(obj) - 2); /* the doc ends "}}" */
	assert_string_equal(s->listener_path, "/run/agent.sock");
	assert_string_equal(s->listener_metadata, "m");
	assert_null(s->default_action);
	assert_int_equal(s->n_syscalls, 0);
	spec_free(c);

	s = spec_parse_seccomp(doc, strlen(doc), "config.json", &err);
	assert_non_null(s);
	assert_false(s->deferred);
	assert_string_equal(s->default_action, "SCMP_ACT_ERRNO");
	assert_string_equal(s->listener_path, "/run/agent.sock");
	assert_int_equal(s->n_syscalls, 1);
	assert_string_equal(s->syscalls[0].names.v[1], "write");
	spec_seccomp_free(s);
	free(doc);

	/* no seccomp: NULL without an error */
	doc = with_linux("{}");
	assert_null(spec_parse_seccomp(doc, strlen(doc), "config.json", &err));
	assert_null(err);
	free(doc);

	/* a bad rule passes the first step and fails the second, with its path */
	doc = with_linux("{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
			 "\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_NOPE\"}]}}");
	c = spec_parse_config_deferred(doc, strlen(doc), "config.json", &err);
	assert_non_null(c);
	spec_free(c);
	assert_null(spec_parse_seccomp(doc, strlen(doc), "config.json", &err));
	assert_non_null(err);
	assert_string_equal(err->msg, "config.json: linux.seccomp.syscalls[0].action: "
			    "unknown seccomp action \"SCMP_ACT_NOPE\"");
	brig_err_free(&err);
	free(doc);

	/* a top level that is not an object is refused, whatever it holds */
	static const char arr[] = "[{\"linux\":{\"seccomp\":{}}}, {\"seccomp\":{}}]";
	assert_null(spec_parse_config_deferred(arr, strlen(arr), "config.json", &err));
	assert_non_null(err);
	assert_string_equal(err->msg, "config.json: expected a JSON object at the top level");
	brig_err_free(&err);

	/* the listener fields are checked in the first step */
	doc = with_linux("{\"seccomp\":{\"listenerMetadata\":\"m\"}}");
	assert_null(spec_parse_config_deferred(doc, strlen(doc), "config.json", &err));
	assert_non_null(err);
	assert_string_equal(err->msg, "config.json: linux.seccomp.listenerMetadata: "
			    "set without listenerPath");
	brig_err_free(&err);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_documents),
		cmocka_unit_test(test_bad_documents),
		cmocka_unit_test(test_minimal_documents),
		cmocka_unit_test(test_other_platforms_ignored),
		cmocka_unit_test(test_full_example_fields),
		cmocka_unit_test(test_wrong_type_exact),
		cmocka_unit_test(test_invalid_json_position),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_unknown_properties_ignored),
		cmocka_unit_test(test_null_is_absent),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_oci_version),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_value_checks),
		cmocka_unit_test(test_process_fields),
		cmocka_unit_test(test_rlimits),
		cmocka_unit_test(test_namespaces),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_seccomp),
		cmocka_unit_test(test_seccomp_deferred),
		cmocka_unit_test(test_large_document),
		cmocka_unit_test(test_idmaps),
		cmocka_unit_test(test_linux_misc),
		cmocka_unit_test(test_process_json),
		cmocka_unit_test(test_resources_json),
		cmocka_unit_test(test_load_bundle),
	};
	return cmocka_run_group_tests_name("spec", tests, NULL, NULL);
}
