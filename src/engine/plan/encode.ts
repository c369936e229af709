import { ConfigError } from '../errors';
import type { CapabilitySets, LaunchPlan, MountStep, PlanHook } from './plan';

/** Bumped whenever the field order changes; the helper refuses a plan of another version. */
export const PLAN_FORMAT_VERSION = 6;

/** sizeof(struct sock_filter) and the kernel's limit on classic BPF program length. */
export const SOCK_FILTER_SIZE = 8;
export const BPF_MAXINSNS = 4096;
/** The largest plan the init reads (kMaxPlanBytes in native/init/channel.cc). */
export const MAX_PLAN_BYTES = 4 << 20;

/**
 * Little-endian, length-prefixed encoding of a LaunchPlan. Strings are u32 length + UTF-8 bytes,
 * arrays are u32 count + items, optional values are a u8 presence byte + value. The order mirrors
 * native/init/plan_reader.cc field for field.
 */
class PlanWriter {
  private chunks: Buffer[] = [];

  private fixed(size: number, write: (b: Buffer) => void): void {
    const b = Buffer.alloc(size);
    write(b);
    this.chunks.push(b);
  }

  u8(v: number): void {
    this.fixed(1, (b) => b.writeUInt8(v));
  }

  u32(v: number): void {
    this.fixed(4, (b) => b.writeUInt32LE(v >>> 0));
  }

  i32(v: number): void {
    this.fixed(4, (b) => b.writeInt32LE(v));
  }

  u64(v: bigint): void {
    this.fixed(8, (b) => b.writeBigUInt64LE(v));
  }

  str(s: string): void {
    const bytes = Buffer.from(s, 'utf8');
    if (bytes.includes(0)) throw new Error(`string contains a NUL byte: ${JSON.stringify(s)}`);
    this.u32(bytes.length);
    this.chunks.push(bytes);
  }

  optionalStr(s: string | null): void {
    this.u8(s === null ? 0 : 1);
    if (s !== null) this.str(s);
  }

  optionalI32(v: number | null): void {
    this.u8(v === null ? 0 : 1);
    if (v !== null) this.i32(v);
  }

  /** u32 length + raw bytes. */
  blob(bytes: Buffer): void {
    this.u32(bytes.length);
    this.chunks.push(Buffer.from(bytes));
  }

  list<T>(items: readonly T[], each: (item: T) => void): void {
    this.u32(items.length);
    for (const item of items) each(item);
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function writeMount(w: PlanWriter, m: MountStep): void {
  w.u32(m.kind);
  w.str(m.source);
  w.str(m.destination);
  w.str(m.fstype);
  w.u32(m.flags);
  w.u32(m.remountFlags);
  w.list(m.propagation, (p) => w.u32(p));
  w.str(m.data);
  w.u32(m.destinationKind);
  w.u32(m.copyUp ? 1 : 0);
}

function writeCapabilities(w: PlanWriter, c: CapabilitySets): void {
  w.u64(c.bounding);
  w.u64(c.effective);
  w.u64(c.permitted);
  w.u64(c.inheritable);
  w.u64(c.ambient);
}

function writeHook(w: PlanWriter, h: PlanHook): void {
  w.str(h.path);
  w.list(h.args, (a) => w.str(a));
  w.list(h.env, (e) => w.str(e));
  w.u32(h.timeoutSeconds);
}

export function encodePlan(plan: LaunchPlan): Buffer {
  const w = new PlanWriter();
  w.u32(PLAN_FORMAT_VERSION);
  w.list(plan.joinNamespaces, (ns) => {
    w.u32(ns.type);
    w.str(ns.path);
  });
  w.u32(plan.unshareFlags);
  w.optionalStr(plan.sessionKeyring);
  w.optionalStr(plan.hostname);
  w.optionalStr(plan.domainname);
  w.u8(plan.rootfs === null ? 0 : 1);
  if (plan.rootfs !== null) {
    w.str(plan.rootfs.path);
    w.u32(plan.rootfs.propagation);
    w.u8(plan.rootfs.readonly ? 1 : 0);
    w.u8(plan.rootfs.pivot ? 1 : 0);
    w.u8(plan.rootfs.ownMountNamespace ? 1 : 0);
  }
  w.list(plan.mounts, (m) => writeMount(w, m));
  w.list(plan.devices, (d) => {
    w.str(d.path);
    w.u32(d.fileType);
    w.u32(d.major);
    w.u32(d.minor);
    w.u32(d.mode);
    w.u32(d.uid);
    w.u32(d.gid);
  });
  w.list(plan.symlinks, (s) => {
    w.str(s.target);
    w.str(s.path);
  });
  w.list(plan.maskedPaths, (p) => w.str(p));
  w.list(plan.readonlyPaths, (p) => w.str(p));
  w.list(plan.sysctls, (s) => {
    w.str(s.path);
    w.str(s.value);
  });
  w.list(plan.rlimits, (r) => {
    w.u32(r.resource);
    w.u64(r.soft);
    w.u64(r.hard);
  });
  w.u32(plan.uid);
  w.u32(plan.gid);
  w.list(plan.additionalGids, (g) => w.u32(g));
  w.optionalI32(plan.umask);
  writeCapabilities(w, plan.capabilities);
  w.u8(plan.noNewPrivileges ? 1 : 0);
  w.u8(plan.seccomp === null ? 0 : 1);
  if (plan.seccomp !== null) {
    const program = plan.seccomp.program;
    if (program.length === 0 || program.length % SOCK_FILTER_SIZE !== 0 || program.length > BPF_MAXINSNS * SOCK_FILTER_SIZE) {
      throw new Error(`seccomp program of ${program.length} bytes is not 1 to ${BPF_MAXINSNS} struct sock_filter`);
    }
    w.blob(program);
    w.u32(plan.seccomp.flags);
  }
  w.str(plan.cwd);
  w.list(plan.args, (a) => w.str(a));
  w.list(plan.env, (e) => w.str(e));
  w.u8(plan.terminal ? 1 : 0);
  w.u8(plan.consoleSize === null ? 0 : 1);
  if (plan.consoleSize !== null) {
    w.u32(plan.consoleSize.rows);
    w.u32(plan.consoleSize.columns);
  }
  w.u8(plan.awaitHooks ? 1 : 0);
  w.list(plan.createContainerHooks, (h) => writeHook(w, h));
  w.list(plan.startContainerHooks, (h) => writeHook(w, h));
  w.u8(plan.waitForStart ? 1 : 0);
  const bytes = w.bytes();
  if (bytes.length > MAX_PLAN_BYTES) {
    throw new ConfigError(
      `config.json: the launch plan is ${bytes.length} bytes, more than the init accepts (${MAX_PLAN_BYTES} bytes): ` +
        `${plan.mounts.length} mounts, ${plan.devices.length} devices, ${plan.env.length} env entries, ${plan.args.length} args`,
    );
  }
  return bytes;
}
