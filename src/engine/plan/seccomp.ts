/**
 * linux.seccomp resolved into numbers for libseccomp (native/addon/seccomp.cc compiles it into a
 * classic BPF program in the runtime; the init helper only loads the bytes). Pure: every name is
 * turned into the value of /usr/include/seccomp.h or linux/seccomp.h here, following runc's
 * libcontainer/seccomp for what it accepts and how rules are formed.
 */
import { ConfigError } from '../errors';
import type { LinuxSeccomp } from '../spec/schema';

const EPERM = 1;
const ENOSYS = 38;

/** The input of the addon's compileSeccompFilter(). */
export interface SeccompArgInput {
  index: number;
  /** SCMP_CMP_* */
  op: number;
  value: bigint;
  valueTwo: bigint;
}

export interface SeccompRuleInput {
  syscall: string;
  /** SCMP_ACT_* with its data (errno or trace message). */
  action: number;
  /** ANDed conditions; empty: unconditional. */
  args: SeccompArgInput[];
}

export interface SeccompFilterInput {
  defaultAction: number;
  /** SCMP_ARCH_* tokens (AUDIT_ARCH_* values) besides the native one. */
  architectures: number[];
  rules: SeccompRuleInput[];
  /**
   * Every syscall the profile names, rules left out included: per architecture, the addon answers
   * ENOSYS to numbers above the highest of them (syscalls newer than the profile, as runc's stub
   * does). Empty, so no stub, when the default action lets unknown syscalls through anyway or
   * already is ENOSYS.
   */
  profileSyscalls: string[];
}

export interface SeccompPlan {
  filter: SeccompFilterInput;
  /** SECCOMP_FILTER_FLAG_* for the seccomp(SECCOMP_SET_MODE_FILTER) call. */
  flags: number;
  /** With SCMP_ACT_NOTIFY: where the runtime sends the notify fd (linux.seccomp.listenerPath) and the metadata it passes along. */
  listener: { path: string; metadata: string } | null;
}

export const SCMP_ACT_KILL_PROCESS = 0x80000000;
export const SCMP_ACT_KILL_THREAD = 0x00000000;
export const SCMP_ACT_TRAP = 0x00030000;
export const SCMP_ACT_LOG = 0x7ffc0000;
export const SCMP_ACT_ALLOW = 0x7fff0000;
export const SCMP_ACT_NOTIFY = 0x7fc00000;
export const scmpActErrno = (errno: number): number => (0x00050000 | (errno & 0xffff)) >>> 0;
export const scmpActTrace = (message: number): number => (0x7ff00000 | (message & 0xffff)) >>> 0;

/** SCMP_ARCH_* of seccomp.h: the AUDIT_ARCH_* values of linux/audit.h. */
export const SECCOMP_ARCH_TOKENS: Readonly<Record<string, number>> = {
  SCMP_ARCH_X86: 0x40000003,
  SCMP_ARCH_X86_64: 0xc000003e,
  SCMP_ARCH_X32: 0x4000003e,
  SCMP_ARCH_ARM: 0x40000028,
  SCMP_ARCH_AARCH64: 0xc00000b7,
  SCMP_ARCH_LOONGARCH64: 0xc0000102,
  SCMP_ARCH_M68K: 0x00000004,
  SCMP_ARCH_MIPS: 0x00000008,
  SCMP_ARCH_MIPS64: 0x80000008,
  SCMP_ARCH_MIPS64N32: 0xa0000008,
  SCMP_ARCH_MIPSEL: 0x40000008,
  SCMP_ARCH_MIPSEL64: 0xc0000008,
  SCMP_ARCH_MIPSEL64N32: 0xe0000008,
  SCMP_ARCH_PPC: 0x00000014,
  SCMP_ARCH_PPC64: 0x80000015,
  SCMP_ARCH_PPC64LE: 0xc0000015,
  SCMP_ARCH_S390: 0x00000016,
  SCMP_ARCH_S390X: 0x80000016,
  // libseccomp 2.6: SH is the little-endian AUDIT_ARCH_SHEL, SHEB the big-endian AUDIT_ARCH_SH.
  SCMP_ARCH_SH: 0x4000002a,
  SCMP_ARCH_SHEB: 0x0000002a,
  SCMP_ARCH_PARISC: 0x0000000f,
  SCMP_ARCH_PARISC64: 0x8000000f,
  SCMP_ARCH_RISCV64: 0xc00000f3,
};

/** enum scmp_compare of seccomp.h. */
export const SECCOMP_OPERATOR_VALUES: Readonly<Record<string, number>> = {
  SCMP_CMP_NE: 1,
  SCMP_CMP_LT: 2,
  SCMP_CMP_LE: 3,
  SCMP_CMP_EQ: 4,
  SCMP_CMP_GE: 5,
  SCMP_CMP_GT: 6,
  SCMP_CMP_MASKED_EQ: 7,
};

/** SECCOMP_FILTER_FLAG_* of linux/seccomp.h that cista passes to seccomp(2). */
export const SECCOMP_FLAG_BITS: Readonly<Record<string, number>> = {
  SECCOMP_FILTER_FLAG_TSYNC: 1 << 0,
  SECCOMP_FILTER_FLAG_LOG: 1 << 1,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 1 << 2,
  // Meaningful with a listener only (the kernel refuses it without one): dropped when nothing notifies.
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: 1 << 5,
};

/** Set by cista itself when a rule notifies: seccomp(2) then returns the notify fd. */
export const SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3;
/** TSYNC together with NEW_LISTENER: the kernel needs this to tell a thread failure from the fd. */
const SECCOMP_FILTER_FLAG_TSYNC_ESRCH = 1 << 4;

/**
 * The init sends the notify fd with sendmsg() right after loading the filter: a notified sendmsg
 * would wait for an agent that has not got the fd yet (runc refuses `write`, its equivalent).
 */
const SYSCALLS_NEVER_NOTIFIED = ['sendmsg'];

/** The kernel passes at most six syscall arguments. */
const MAX_SYSCALL_ARGUMENTS = 6;

function resolveAction(action: string, errnoRet: number | undefined, pointer: string, errnoPointer: string): number {
  if (errnoRet !== undefined && action !== 'SCMP_ACT_ERRNO' && action !== 'SCMP_ACT_TRACE') {
    throw new ConfigError(errnoPointer, `only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take an errno, not ${action}`);
  }
  switch (action) {
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD':
      return SCMP_ACT_KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS':
      return SCMP_ACT_KILL_PROCESS;
    case 'SCMP_ACT_TRAP':
      return SCMP_ACT_TRAP;
    case 'SCMP_ACT_ERRNO':
      return scmpActErrno(errnoRet ?? EPERM);
    case 'SCMP_ACT_TRACE':
      return scmpActTrace(errnoRet ?? EPERM);
    case 'SCMP_ACT_ALLOW':
      return SCMP_ACT_ALLOW;
    case 'SCMP_ACT_LOG':
      return SCMP_ACT_LOG;
    case 'SCMP_ACT_NOTIFY':
      return SCMP_ACT_NOTIFY;
    default:
      throw new ConfigError(pointer, `unknown seccomp action ${JSON.stringify(action)}`);
  }
}

/**
 * Resolves linux.seccomp; null when there is none. Throws ConfigError naming the JSON path for
 * what cista refuses (unknown names, SCMP_ACT_NOTIFY without a listener or as the default).
 */
export function planSeccomp(seccomp: LinuxSeccomp | undefined): SeccompPlan | null {
  if (seccomp === undefined) return null;
  const base = '/linux/seccomp';
  const listenerPath = seccomp.listenerPath ?? '';
  const metadata = seccomp.listenerMetadata ?? '';
  if (metadata !== '' && listenerPath === '') {
    throw new ConfigError(`${base}/listenerMetadata`, `needs ${base}/listenerPath (the metadata goes to the agent listening there)`);
  }
  const defaultAction = resolveAction(seccomp.defaultAction, seccomp.defaultErrnoRet, `${base}/defaultAction`, `${base}/defaultErrnoRet`);
  // Every syscall of the init, and of the runtime's own sendmsg of the fd, would wait for an agent.
  if (defaultAction === SCMP_ACT_NOTIFY) throw new ConfigError(`${base}/defaultAction`, 'SCMP_ACT_NOTIFY cannot be the default action');

  let flags = 0;
  (seccomp.flags ?? []).forEach((name, i) => {
    const bit = SECCOMP_FLAG_BITS[name];
    if (bit === undefined) throw new ConfigError(`${base}/flags/${i}`, `${JSON.stringify(name)} is not a seccomp filter flag`);
    flags |= bit;
  });

  const architectures: number[] = [];
  (seccomp.architectures ?? []).forEach((name, i) => {
    const token = SECCOMP_ARCH_TOKENS[name];
    if (token === undefined) throw new ConfigError(`${base}/architectures/${i}`, `unknown architecture ${JSON.stringify(name)}`);
    if (!architectures.includes(token)) architectures.push(token);
  });

  const rules: SeccompRuleInput[] = [];
  (seccomp.syscalls ?? []).forEach((call, i) => {
    const pointer = `${base}/syscalls/${i}`;
    const action = resolveAction(call.action, call.errnoRet, `${pointer}/action`, `${pointer}/errnoRet`);
    const conditions: SeccompArgInput[] = (call.args ?? []).map((arg, j) => {
      if (arg.index >= MAX_SYSCALL_ARGUMENTS) {
        throw new ConfigError(`${pointer}/args/${j}/index`, `${arg.index} is not a syscall argument (0 to 5)`);
      }
      const op = SECCOMP_OPERATOR_VALUES[arg.op];
      if (op === undefined) throw new ConfigError(`${pointer}/args/${j}/op`, `unknown operator ${JSON.stringify(arg.op)}`);
      return { index: arg.index, op, value: BigInt(arg.value), valueTwo: BigInt(arg.valueTwo ?? 0) };
    });
    // libseccomp refuses a rule whose action is the default one; runc leaves it out as well.
    if (action === defaultAction) return;
    if (action === SCMP_ACT_NOTIFY) {
      if (listenerPath === '') throw new ConfigError(`${pointer}/action`, `SCMP_ACT_NOTIFY needs ${base}/listenerPath, where the agent that answers listens`);
      const never = call.names.findIndex((name) => SYSCALLS_NEVER_NOTIFIED.includes(name));
      if (never >= 0) throw new ConfigError(`${pointer}/names/${never}`, `SCMP_ACT_NOTIFY cannot be used for ${call.names[never]}, which hands the notify fd over`);
    }
    // runc: conditions on distinct arguments are ANDed in one rule; when an argument is named more
    // than once (which libseccomp cannot AND), each condition becomes a rule of its own (ORed).
    const indices = conditions.map((c) => c.index);
    const repeated = new Set(indices).size !== indices.length;
    for (const syscall of call.names) {
      if (repeated) for (const c of conditions) rules.push({ syscall, action, args: [c] });
      else rules.push({ syscall, action, args: conditions });
    }
  });
  const notifies = rules.some((rule) => rule.action === SCMP_ACT_NOTIFY);
  if (notifies) {
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    if (flags & SECCOMP_FLAG_BITS.SECCOMP_FILTER_FLAG_TSYNC) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  } else {
    flags &= ~SECCOMP_FLAG_BITS.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  }
  // As the spec says, the listener is ignored when nothing notifies.
  const listener = notifies ? { path: listenerPath, metadata } : null;
  // runc counts SCMP_ACT_TRACE as permissive too: a tracer handles new syscalls itself.
  const permissive = [SCMP_ACT_ALLOW, SCMP_ACT_LOG].includes(defaultAction) || seccomp.defaultAction === 'SCMP_ACT_TRACE';
  const stub = !permissive && defaultAction !== scmpActErrno(ENOSYS);
  const profileSyscalls = stub ? [...new Set((seccomp.syscalls ?? []).flatMap((call) => call.names))] : [];
  return { filter: { defaultAction, architectures, rules, profileSyscalls }, flags, listener };
}
