# brig's default seccomp profile.  `brig spec` writes it into config.json
# as linux.seccomp; the build embeds this file as it is (spec/embed.sh), and
# spec/default_seccomp.c turns it into JSON.
#
# It is an allowlist in the spirit of Docker's default profile: whatever is
# not listed fails with EPERM.  The default capabilities of `brig spec`
# (AUDIT_WRITE, KILL, NET_BIND_SERVICE) include no CAP_SYS_ADMIN,
# CAP_SYS_MODULE, CAP_SYS_TIME, ..., so Docker's capability-conditioned
# rules are simplified to "refused": among others keyctl, add_key,
# request_key, kexec_load, kexec_file_load, open_by_handle_at, bpf,
# perf_event_open, mount, umount2, pivot_root, setns, the new mount API,
# reboot, swapon, swapoff, init_module, finit_module, delete_module, acct,
# settimeofday, clock_settime, userfaultfd, quotactl, syslog, iopl, ioperm,
# and unshare/clone of new namespaces (a new user namespace in particular).
#
# Syntax, one rule per line ('#' starts a comment):
#   default ACTION [ERRNO]          defaultAction, defaultErrnoRet
#   arch MACHINE SCMP_ARCH_...      architectures when `uname -m` is MACHINE
#   ACTION [ERRNO] [ARG...] : NAME...
#       a syscalls entry; ARG is INDEX,OP,VALUE[,VALUETWO] (OP without the
#       SCMP_CMP_ prefix).  Consecutive lines with the same ACTION and ARGs
#       are one entry.

default SCMP_ACT_ERRNO 1

arch x86_64  SCMP_ARCH_X86_64 SCMP_ARCH_X86 SCMP_ARCH_X32
arch aarch64 SCMP_ARCH_AARCH64 SCMP_ARCH_ARM
arch ppc64le SCMP_ARCH_PPC64LE
arch s390x   SCMP_ARCH_S390X SCMP_ARCH_S390
arch riscv64 SCMP_ARCH_RISCV64

# ---- files and directories
SCMP_ACT_ALLOW : access chdir chmod chown chown32 close close_range creat
SCMP_ACT_ALLOW : copy_file_range dup dup2 dup3 faccessat faccessat2
SCMP_ACT_ALLOW : fadvise64 fadvise64_64 fallocate fchdir fchmod fchmodat
SCMP_ACT_ALLOW : fchmodat2 fchown fchown32 fchownat fcntl fcntl64 fdatasync
SCMP_ACT_ALLOW : fgetxattr flistxattr flock fremovexattr fsetxattr fstat
SCMP_ACT_ALLOW : fstat64 fstatat64 fstatfs fstatfs64 fsync ftruncate
SCMP_ACT_ALLOW : ftruncate64 futimesat getcwd getdents getdents64 getxattr
SCMP_ACT_ALLOW : inotify_add_watch inotify_init inotify_init1
SCMP_ACT_ALLOW : inotify_rm_watch ioctl lchown lchown32 lgetxattr link linkat
SCMP_ACT_ALLOW : listxattr llistxattr _llseek lremovexattr lseek lsetxattr
SCMP_ACT_ALLOW : lstat lstat64 mkdir mkdirat mknod mknodat name_to_handle_at
SCMP_ACT_ALLOW : newfstatat open openat openat2 pread64 preadv preadv2
SCMP_ACT_ALLOW : pwrite64 pwritev pwritev2 read readahead readlink
SCMP_ACT_ALLOW : readlinkat readv removexattr rename renameat renameat2 rmdir
SCMP_ACT_ALLOW : sendfile sendfile64 setxattr splice stat stat64 statfs
SCMP_ACT_ALLOW : statfs64 statx symlink symlinkat sync sync_file_range
SCMP_ACT_ALLOW : sync_file_range2 arm_sync_file_range arm_fadvise64_64
SCMP_ACT_ALLOW : syncfs tee truncate truncate64 umask unlink unlinkat utime
SCMP_ACT_ALLOW : utimensat utimensat_time64 utimes vmsplice write writev
SCMP_ACT_ALLOW : fanotify_mark cachestat chroot

# ---- processes, signals, scheduling
SCMP_ACT_ALLOW : arch_prctl capget capset execve execveat exit exit_group
SCMP_ACT_ALLOW : fork vfork wait4 waitid waitpid getpid getppid gettid
SCMP_ACT_ALLOW : getpgid getpgrp getsid setpgid setsid getpriority
SCMP_ACT_ALLOW : setpriority getrlimit ugetrlimit setrlimit prlimit64
SCMP_ACT_ALLOW : getrusage kill tgkill tkill pidfd_open pidfd_send_signal
SCMP_ACT_ALLOW : pidfd_getfd process_mrelease prctl ptrace rseq
SCMP_ACT_ALLOW : restart_syscall rt_sigaction rt_sigpending rt_sigprocmask
SCMP_ACT_ALLOW : rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait
SCMP_ACT_ALLOW : rt_sigtimedwait_time64 rt_tgsigqueueinfo sigaltstack
SCMP_ACT_ALLOW : signalfd signalfd4 sigprocmask sigreturn sigsuspend pause
SCMP_ACT_ALLOW : sched_getaffinity sched_getattr sched_getparam
SCMP_ACT_ALLOW : sched_get_priority_max sched_get_priority_min
SCMP_ACT_ALLOW : sched_getscheduler sched_rr_get_interval
SCMP_ACT_ALLOW : sched_rr_get_interval_time64 sched_setaffinity
SCMP_ACT_ALLOW : sched_setattr sched_setparam sched_setscheduler sched_yield
SCMP_ACT_ALLOW : seccomp set_robust_list get_robust_list set_tid_address
SCMP_ACT_ALLOW : set_thread_area get_thread_area set_tls getcpu
SCMP_ACT_ALLOW : ioprio_get ioprio_set membarrier landlock_add_rule
SCMP_ACT_ALLOW : landlock_create_ruleset landlock_restrict_self
SCMP_ACT_ALLOW : futex futex_time64 futex_waitv futex_wake futex_wait
SCMP_ACT_ALLOW : futex_requeue breakpoint cacheflush

# ---- users and groups (within the capabilities the process has)
SCMP_ACT_ALLOW : getuid getuid32 geteuid geteuid32 getgid getgid32 getegid
SCMP_ACT_ALLOW : getegid32 getgroups getgroups32 getresuid getresuid32
SCMP_ACT_ALLOW : getresgid getresgid32 setuid setuid32 setgid setgid32
SCMP_ACT_ALLOW : setreuid setreuid32 setregid setregid32 setresuid
SCMP_ACT_ALLOW : setresuid32 setresgid setresgid32 setfsuid setfsuid32
SCMP_ACT_ALLOW : setfsgid setfsgid32 setgroups setgroups32

# ---- memory
SCMP_ACT_ALLOW : brk madvise map_shadow_stack memfd_create memfd_secret
SCMP_ACT_ALLOW : mincore mlock mlock2 mlockall mmap mmap2 mprotect mremap
SCMP_ACT_ALLOW : msync munlock munlockall munmap remap_file_pages
SCMP_ACT_ALLOW : pkey_alloc pkey_free pkey_mprotect

# ---- time and system information
SCMP_ACT_ALLOW : alarm clock_getres clock_getres_time64 clock_gettime
SCMP_ACT_ALLOW : clock_gettime64 clock_nanosleep clock_nanosleep_time64
SCMP_ACT_ALLOW : getitimer setitimer gettimeofday nanosleep time times
SCMP_ACT_ALLOW : timer_create timer_delete timer_getoverrun timer_gettime
SCMP_ACT_ALLOW : timer_gettime64 timer_settime timer_settime64
SCMP_ACT_ALLOW : timerfd_create timerfd_gettime timerfd_gettime64
SCMP_ACT_ALLOW : timerfd_settime timerfd_settime64 sysinfo uname getrandom

# ---- polling, events, asynchronous I/O, IPC
SCMP_ACT_ALLOW : epoll_create epoll_create1 epoll_ctl epoll_ctl_old
SCMP_ACT_ALLOW : epoll_pwait epoll_pwait2 epoll_wait epoll_wait_old
SCMP_ACT_ALLOW : eventfd eventfd2 poll ppoll ppoll_time64 select _newselect
SCMP_ACT_ALLOW : pselect6 pselect6_time64 pipe pipe2 io_cancel io_destroy
SCMP_ACT_ALLOW : io_getevents io_pgetevents io_pgetevents_time64 io_setup
SCMP_ACT_ALLOW : io_submit ipc mq_getsetattr mq_notify mq_open
SCMP_ACT_ALLOW : mq_timedreceive mq_timedreceive_time64 mq_timedsend
SCMP_ACT_ALLOW : mq_timedsend_time64 mq_unlink msgctl msgget msgrcv msgsnd
SCMP_ACT_ALLOW : semctl semget semop semtimedop semtimedop_time64 shmat
SCMP_ACT_ALLOW : shmctl shmdt shmget

# ---- sockets (AF_VSOCK, 40, reaches the host's hypervisor: refused)
SCMP_ACT_ALLOW : accept accept4 bind connect getpeername getsockname
SCMP_ACT_ALLOW : getsockopt listen recv recvfrom recvmmsg recvmmsg_time64
SCMP_ACT_ALLOW : recvmsg send sendmmsg sendmsg sendto setsockopt shutdown
SCMP_ACT_ALLOW : socketcall socketpair
SCMP_ACT_ALLOW 0,NE,40 : socket

# ---- personality: only the harmless domains (PER_LINUX, PER_LINUX32,
# UNAME26, their combinations and the query 0xffffffff)
SCMP_ACT_ALLOW 0,EQ,0 : personality
SCMP_ACT_ALLOW 0,EQ,8 : personality
SCMP_ACT_ALLOW 0,EQ,131072 : personality
SCMP_ACT_ALLOW 0,EQ,131080 : personality
SCMP_ACT_ALLOW 0,EQ,4294967295 : personality

# ---- clone and unshare without new namespaces.  The mask is CLONE_NEWNS |
# CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |
# CLONE_NEWPID | CLONE_NEWNET (0x7E020000): a new user namespace in
# particular is refused, the door to most kernel attack surface.
SCMP_ACT_ALLOW 0,MASKED_EQ,2114060288,0 : clone unshare
# clone3 passes its flags in memory a filter cannot read: ENOSYS makes the
# C library fall back to clone, which the rule above checks.
SCMP_ACT_ERRNO 38 : clone3
