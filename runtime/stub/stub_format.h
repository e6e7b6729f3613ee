/* brig — runtime/stub/stub_format.h: what brig tells its stub (stub.c),
 * shared by both.  A memfd holds the header, the seccomp program at
 * bpf_off (bpf_insns instructions, 8-byte aligned), and at str_off:
 *   note\0 exe\0 u32 argc, argv[i]\0... u32 envc, envp[i]\0...
 *   u32 hooks, per hook: path\0 u32 n, args\0... u32 n, env\0... u32 timeout
 * (u32 in host order, unaligned). */
#ifndef BRIG_STUB_FORMAT_H
#define BRIG_STUB_FORMAT_H

#define STUB_MAGIC 0x42534231u /* "1BSB" */

/* flags */
#define STUB_INIT 0x1     /* the container's init: GO, exec.fifo, hooks */
#define STUB_FORK 0x2     /* fork the process into the pid namespace set for
			   * our children, report its pid (CHAN_PID), exit */
#define STUB_SESSION 0x4  /* the process takes a new session (and the
			   * terminal on stdin as controlling terminal) */
#define STUB_TERMINAL 0x8 /* process.terminal */
#define STUB_STOP 0x10    /* the forked process stops itself at once (tests:
			   * BRIG_FAULT=exec-process:stop) */

/* brig's channel message types (enum chan_type, runtime.h) */
#define STUB_CHAN_GO 1
#define STUB_CHAN_READY 4
#define STUB_CHAN_ERROR 5
#define STUB_CHAN_SECCOMP 6
#define STUB_CHAN_PID 7

struct stub_hdr {
	unsigned int magic;
	unsigned int flags;
	int sock;              /* the channel to the runtime */
	int fifo;              /* exec.fifo (STUB_INIT), else -1 */
	unsigned int keep_fds; /* 3 .. 3+keep_fds-1 go to the process */
	unsigned int bpf_flags;  /* SECCOMP_FILTER_FLAG_* */
	unsigned int bpf_insns;  /* 0: no filter to load here */
	unsigned int bpf_off;
	unsigned int str_off;
};

#endif
