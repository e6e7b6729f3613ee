/* brig — runtime/process.c: the parts of starting the user process that
 * the container's init (init.c) and `exec` (exec.c) share: finding the
 * executable, the environment, rlimits, oom_score_adj, the switch to
 * process.user, and clean signal dispositions before execve. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Find args[0] as execvpe would, with the process's own PATH, so a missing
 * executable fails `create`, not the later `start`. */
char *find_executable(const struct spec_process *p, brig_error_t **err)
{
	const char *file = p->args.v[0];
	struct stat sb;

	if (strchr(file, '/')) {
		if (stat(file, &sb) < 0)
			return brig_err(err, errno, "exec: \"%s\": stat %s", file, file), NULL;
		if (S_ISDIR(sb.st_mode))
			return brig_err(err, 0, "exec: \"%s\": is a directory", file), NULL;
		if (access(file, X_OK) < 0)
			return brig_err(err, errno, "exec: \"%s\"", file), NULL;
		return xstrdup(file);
	}
	const char *path = spec_getenv(&p->env, "PATH");
	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	cleanup_free char *copy = xstrdup(path);
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		cleanup_free char *cand = xasprintf("%s/%s", *dir ? dir : ".", file);
		if (stat(cand, &sb) == 0 && S_ISREG(sb.st_mode) && access(cand, X_OK) == 0)
			return steal_ptr(cand);
	}
	return brig_err(err, 0, "exec: \"%s\": executable file not found in $PATH", file), NULL;
}

void process_setenv(struct spec_strv *env, const char *kv)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);

	for (size_t i = 0; i < env->n; i++) {
		if (strncmp(env->v[i], kv, klen) == 0 && env->v[i][klen] == '=') {
			free(env->v[i]);
			env->v[i] = xstrdup(kv);
			return;
		}
	}
	brig_strv_append(&env->v, &env->n, kv);
}

/* The image's /etc/passwd: a regular file (a FIFO would block, a
 * symlink to /dev/zero never end), read up to PASSWD_MAX. */
#define PASSWD_MAX (4 << 20)
static FILE *open_passwd(void)
{
	struct stat st;
	int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "re"))) {
		close(fd);
		return NULL;
	}
	return f;
}

/* process.env, plus HOME from the container's /etc/passwd when the
 * config sets none (as runc does). */
char **build_env(const struct spec_process *p)
{
	size_t n = p->env.n;
	char **env = xcalloc(n + 2, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		env[i] = p->env.v[i];
	if (spec_getenv(&p->env, "HOME"))
		return env;
	const char *home = "/";
	cleanup_fclose FILE *f = open_passwd();
	char line[1024];
	static char found[1024];
	size_t total = 0;
	while (f && fgets(line, sizeof(line), f) && (total += strlen(line)) < PASSWD_MAX) {
		/* name:pw:uid:gid:gecos:home:shell */
		char *fields[7] = {0};
		char *save = NULL, *tok = line;
		int i = 0;
		for (char *q = line; i < 7; q++) {
			if (*q == ':' || *q == '\n' || *q == '\0') {
				bool end = *q != ':';
				*q = '\0';
				fields[i++] = tok;
				tok = q + 1;
				if (end)
					break;
			}
		}
		(void)save;
		if (i >= 6 && strtoul(fields[2], NULL, 10) == p->user.uid) {
			snprintf(found, sizeof(found), "%s", fields[5]);
			home = found;
			break;
		}
	}
	env[n] = xasprintf("HOME=%s", home);
	return env;
}

int apply_rlimits(const struct spec_process *p, brig_error_t **err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};
		if (setrlimit(p->rlimits[i].resource, &rl) < 0)
			return brig_err(err, errno, "process.rlimits[%zu]: setrlimit %s", i,
					p->rlimits[i].type);
	}
	return 0;
}

int write_oom_score_adj(const struct spec_process *p, pid_t pid, brig_error_t **err)
{
	char buf[32], path[64];
	int fd, n;

	if (!p->oom_score_adj.set)
		return 0;
	n = snprintf(buf, sizeof(buf), "%lld", (long long)p->oom_score_adj.v);
	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/oom_score_adj");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || brig_write_all(fd, buf, (size_t)n) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return brig_err(err, e, "process.oomScoreAdj: write %s", path);
	}
	close(fd);
	return 0;
}

int switch_user(const struct spec_process *p, bool userns, brig_error_t **err)
{
	const struct spec_user *u = &p->user;

	/* in a user namespace with setgroups denied, setgroups fails: only
	 * call it when there is something to set or we may */
	if (setgroups(u->n_additional_gids, (gid_t *)u->additional_gids) < 0 &&
	    !(userns && errno == EPERM && u->n_additional_gids == 0))
		return brig_err(err, errno, "process.user.additionalGids: setgroups");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return brig_err(err, errno, "process.user.gid: setresgid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return brig_err(err, errno, "process.user.uid: setresuid %u", u->uid);
	return 0;
}

bool is_own_child(pid_t pid)
{
	siginfo_t si;

	/* a child stays ours (a zombie at worst) until we reap it: its pid
	 * cannot name anything else meanwhile */
	return pid > 0 && waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

void kill_and_reap(pid_t pid)
{
	/* only a child not reaped yet: once reaped (a caller that waited
	 * for it to say how it died), the number may be anyone's */
	if (!is_own_child(pid))
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

void reset_signals(void)
{
	sigset_t none;
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int enter_cwd(const char *cwd, brig_error_t **err)
{
	char buf[PATH_MAX];

	if (chdir(cwd) < 0)
		return brig_err(err, errno, "process.cwd: chdir %s", cwd);
	/* the kernel's getcwd says "(unreachable)..." (glibc: ENOENT) for a
	 * directory that is not under the process's root */
	if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
		return brig_err(err, 0, "process.cwd: %s is outside the container's root", cwd);
	return 0;
}

void strv_push(struct spec_strv *l, const char *s)
{
	brig_strv_append(&l->v, &l->n, s);
}

void strv_clear(struct spec_strv *l)
{
	brig_strv_free(l->v);
	l->v = NULL;
	l->n = 0;
}
