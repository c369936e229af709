import { NAMESPACES, type NamespaceType } from '../../generated/protocol';
import { ConfigError } from '../errors';
import type { Linux } from '../spec/schema';

/** CLONE_NEW* flags (linux/sched.h), from the protocol's namespace table. */
export {
  CLONE_NEWCGROUP,
  CLONE_NEWIPC,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWPID,
  CLONE_NEWTIME,
  CLONE_NEWUSER,
  CLONE_NEWUTS,
} from '../../generated/protocol';

/** CLONE_NEW* flags by the namespace type names of config.json. */
export const NAMESPACE_FLAGS: Readonly<Record<NamespaceType, number>> = Object.fromEntries(
  NAMESPACES.map((ns) => [ns.type, ns.flag]),
) as Record<NamespaceType, number>;

/** /proc/<pid>/ns file names by config.json namespace type. */
export const NAMESPACE_FILES: Readonly<Record<NamespaceType, string>> = Object.fromEntries(
  NAMESPACES.map((ns) => [ns.type, ns.procFile]),
) as Record<NamespaceType, string>;

/** KTIME_SEC_MAX / 2: the kernel refuses a clock offset beyond it whatever the clock reads. */
const MAX_TIME_OFFSET_SECONDS = 4611686018n;
const NANOSECONDS_PER_SECOND = 1_000_000_000;

/**
 * linux.timeOffsets as the text of /proc/self/timens_offsets (one "<clock> <secs> <nanosecs>" line
 * each), which only a new time namespace takes: joined ones have theirs (runc refuses both together).
 */
export function planTimeOffsets(linux: Linux): string | null {
  const offsets = linux.timeOffsets;
  if (offsets === undefined || Object.keys(offsets).length === 0) return null;
  const timeIndex = (linux.namespaces ?? []).findIndex((ns) => ns.type === 'time');
  if (timeIndex < 0) throw new ConfigError('/linux/timeOffsets', 'needs a new time namespace in /linux/namespaces');
  if (linux.namespaces![timeIndex].path !== undefined) {
    throw new ConfigError('/linux/timeOffsets', `cannot be applied to the time namespace joined by /linux/namespaces/${timeIndex}/path`);
  }
  const lines: string[] = [];
  for (const clock of ['monotonic', 'boottime'] as const) {
    const offset = offsets[clock];
    if (offset === undefined) continue;
    // Exact: config.json integers beyond 2^53 arrive as bigints.
    const secs = BigInt(offset.secs ?? 0);
    const nanosecs = offset.nanosecs ?? 0;
    if (secs > MAX_TIME_OFFSET_SECONDS || secs < -MAX_TIME_OFFSET_SECONDS) {
      throw new ConfigError(`/linux/timeOffsets/${clock}/secs`, `${secs} is beyond the kernel's limit of ±${MAX_TIME_OFFSET_SECONDS}`);
    }
    if (nanosecs >= NANOSECONDS_PER_SECOND) {
      throw new ConfigError(`/linux/timeOffsets/${clock}/nanosecs`, `${nanosecs} is not below one second`);
    }
    lines.push(`${clock} ${secs} ${nanosecs}\n`);
  }
  return lines.join('');
}
