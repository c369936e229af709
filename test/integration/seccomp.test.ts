import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, Scratch } from '../helpers/bundle';
import { REPO, cista, exec } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;
let counter = 0;

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('seccomp');
});
afterAll(() => {
  for (const id of fs.existsSync(scratch.root) ? fs.readdirSync(scratch.root) : []) cista(scratch.root, ['delete', '--force', id]);
  scratch.cleanup();
});

/** Runs a shell script in a container with the given seccomp section (root writable for /tmp). */
function run(script: string, seccomp: Config, edit: (c: Config) => void = () => {}): { code: number | null; stdout: string; stderr: string } {
  const id = `sc${counter++}`;
  const bundle = scratch.bundle(id, ['sh', '-c', script], (c) => {
    c.root.readonly = false;
    c.linux.seccomp = seccomp;
    edit(c);
  });
  const r = cista(scratch.root, ['run', '--bundle', bundle, id]);
  expect(leftovers(scratch.root, id, bundle)).toEqual([]);
  return r;
}

const X86 = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
const noNewPrivileges = (value: boolean) => (c: Config) => (c.process.noNewPrivileges = value);
const MKDIR = 'mkdir /tmp/x 2>&1; echo "mkdir=$?"; echo hi > /tmp/file && cat /tmp/file; grep "^Seccomp:" /proc/self/status';

/** The syscalls of a busybox shell and the init's last steps, in the style of runc's default allow-list. */
const COMMON_SYSCALLS = [
  'accept', 'accept4', 'access', 'arch_prctl', 'bind', 'brk', 'capget', 'capset', 'chdir', 'chmod', 'chown', 'clock_getres',
  'clock_gettime', 'clock_nanosleep', 'clone', 'clone3', 'close', 'close_range', 'connect', 'dup', 'dup2', 'dup3', 'epoll_create1',
  'epoll_ctl', 'epoll_pwait', 'epoll_wait', 'eventfd2', 'execve', 'execveat', 'exit', 'exit_group', 'faccessat', 'faccessat2',
  'fadvise64', 'fchdir', 'fchmod', 'fchmodat', 'fchown', 'fchownat', 'fcntl', 'fcntl64', 'fdatasync', 'flock', 'fork', 'fstat',
  'fstat64', 'fstatat64', 'fstatfs', 'fsync', 'ftruncate', 'futex', 'getcwd', 'getdents', 'getdents64', 'getegid', 'geteuid',
  'getgid', 'getgroups', 'getitimer', 'getpeername', 'getpgid', 'getpgrp', 'getpid', 'getppid', 'getpriority', 'getrandom',
  'getresgid', 'getresuid', 'getrlimit', 'get_robust_list', 'getrusage', 'getsid', 'getsockname', 'getsockopt', 'gettid',
  'gettimeofday', 'getuid', 'getxattr', 'ioctl', 'kill', 'lchown', 'lgetxattr', 'link', 'linkat', 'listen', 'lseek', 'lstat',
  'lstat64', 'madvise', 'membarrier', 'mmap', 'mmap2', 'mprotect', 'mremap', 'munmap', 'nanosleep', 'newfstatat', 'open', 'openat',
  'openat2', 'pause', 'pipe', 'pipe2', 'poll', 'ppoll', 'prctl', 'pread64', 'preadv', 'prlimit64', 'pselect6', 'pwrite64', 'pwritev',
  'read', 'readlink', 'readlinkat', 'readv', 'recvfrom', 'recvmsg', 'rename', 'renameat', 'renameat2', 'restart_syscall', 'rmdir',
  'rseq', 'rt_sigaction', 'rt_sigpending', 'rt_sigprocmask', 'rt_sigqueueinfo', 'rt_sigreturn', 'rt_sigsuspend', 'rt_sigtimedwait',
  'sched_getaffinity', 'sched_yield', 'select', 'sendmsg', 'sendto', 'setgid', 'setgroups', 'setitimer', 'setpgid', 'setpriority',
  'setresgid', 'setresuid', 'setrlimit', 'set_robust_list', 'setsid', 'setsockopt', 'set_tid_address', 'setuid', 'shutdown',
  'sigaltstack', 'socket', 'socketpair', 'stat', 'stat64', 'statfs', 'statx', 'symlink', 'symlinkat', 'sysinfo', 'tgkill', 'time',
  'times', 'tkill', 'truncate', 'umask', 'uname', 'unlink', 'unlinkat', 'utime', 'utimensat', 'utimes', 'vfork', 'wait4', 'waitid',
  'write', 'writev',
  // Unknown to every libseccomp: left out, as runc does.
  'cista_future_syscall',
];

describe('linux.seccomp', () => {
  const denyMkdir = (errnoRet?: number): Config => ({
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: X86,
    syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', ...(errnoRet === undefined ? {} : { errnoRet }) }],
  });

  it('makes mkdir fail with EPERM while the rest works (no_new_privs set, with filter flags)', () => {
    // The flags go to seccomp(2) as they are: the kernel refuses bits it does not know.
    const r = run(MKDIR, { ...denyMkdir(), flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'] }, noNewPrivileges(true));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("mkdir: can't create directory '/tmp/x': Operation not permitted\nmkdir=1\nhi\nSeccomp:\t2\n");
  });

  it('returns the rule errnoRet, and loads the filter without no_new_privs too', () => {
    const r = run(`${MKDIR}; grep "^NoNewPrivs:" /proc/self/status`, denyMkdir(38), noNewPrivileges(false));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("mkdir: can't create directory '/tmp/x': Function not implemented\nmkdir=1\nhi\nSeccomp:\t2\nNoNewPrivs:\t0\n");
  });

  it.each([true, false])('runs a busybox shell under a default-deny allow-list (noNewPrivileges %s)', (nnp) => {
    const profile: Config = {
      defaultAction: 'SCMP_ACT_ERRNO',
      defaultErrnoRet: 1,
      architectures: X86,
      syscalls: [
        { names: COMMON_SYSCALLS, action: 'SCMP_ACT_ALLOW' },
        // Allowed only for the default personality, as in runc's profile.
        { names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, op: 'SCMP_CMP_EQ', value: 0 }] },
      ],
    };
    const r = run('echo $((6 * 7)); ls / | wc -l; cat /proc/self/status | grep "^Seccomp:"; mkdir /tmp/y 2>&1; echo "mkdir=$?"', profile, noNewPrivileges(nnp));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('42');
    expect(Number(lines[1])).toBeGreaterThan(3);
    expect(lines[2]).toBe('Seccomp:\t2');
    expect(lines.slice(3)).toEqual(["mkdir: can't create directory '/tmp/y': Operation not permitted", 'mkdir=1', '']);
  });

  describe('syscalls newer than the profile get ENOSYS, as with runc', () => {
    /** syscall-errno (test/helpers/syscall-errno.c) built static into the bundle's /bin. */
    function probe(numbers: number[], profile: Config): string {
      requireFile('/usr/bin/gcc', 'gcc builds the syscall probe');
      const binary = path.join(scratch.dir, 'syscall-errno');
      if (!fs.existsSync(binary)) {
        const built = exec('gcc', ['-static', '-O2', '-o', binary, path.join(REPO, 'test', 'helpers', 'syscall-errno.c')]);
        expect(built.stderr).toBe('');
      }
      const r = run(`/bin/syscall-errno ${numbers.join(' ')}`, profile, (c) => {
        fs.copyFileSync(binary, path.join(scratch.dir, `sc${counter - 1}`, 'rootfs', 'bin', 'syscall-errno'));
        c.process.noNewPrivileges = true;
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return r.stdout;
    }
    // x86_64 numbers. The allow-list's highest is faccessat2 (439); 450 (set_mempolicy_home_node)
    // is newer, mkdir (83) older and left out, 1000 unknown to any kernel.
    const NUMBERS = [450, 83, 1000];
    const allowList = (defaultAction: string, defaultErrnoRet?: number): Config => ({
      defaultAction,
      ...(defaultErrnoRet === undefined ? {} : { defaultErrnoRet }),
      architectures: X86,
      syscalls: [{ names: COMMON_SYSCALLS, action: 'SCMP_ACT_ALLOW' }],
    });

    it('with a default errno: ENOSYS above the highest syscall the profile names, the default below it', () => {
      expect(probe(NUMBERS, allowList('SCMP_ACT_ERRNO'))).toBe('450=ENOSYS\n83=EPERM\n1000=ENOSYS\n');
    });

    it('with a default kill, the newer syscall still gets ENOSYS instead', () => {
      expect(probe([450, 1000], allowList('SCMP_ACT_KILL_PROCESS'))).toBe('450=ENOSYS\n1000=ENOSYS\n');
    });

    it('counts the names of rules with the default action too (runc does)', () => {
      const profile = allowList('SCMP_ACT_ERRNO');
      profile.syscalls.push({ names: ['set_mempolicy_home_node'], action: 'SCMP_ACT_ERRNO' });
      expect(probe(NUMBERS, profile)).toBe('450=EPERM\n83=EPERM\n1000=ENOSYS\n');
    });
  });

  it('refuses SCMP_ACT_NOTIFY without a listener with one clear line and leaves nothing behind', () => {
    const r = run('true', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('cista: config.json: /linux/seccomp/syscalls/0/action: SCMP_ACT_NOTIFY needs /linux/seccomp/listenerPath, where the agent that answers listens\n');
  });

  it('refuses a filter libseccomp cannot build before touching the host', () => {
    const r = run('true', { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_LOONGARCH64', 'SCMP_ARCH_X86_64'] });
    if (r.code === 0) return; // a libseccomp that knows loongarch64 builds it
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^cista: config\.json: \/linux\/seccomp: adding architecture 0xc0000102 .*\n$/);
  });
});
