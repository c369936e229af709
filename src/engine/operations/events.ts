import type { CgroupManager, OomWatch } from '../cgroups/manager';
import { type ContainerStats, networkInterfaces, statsJson } from '../cgroups/stats';
import { CistaError, ContainerStateError } from '../errors';
import { type Effect, runSync } from '../host/effect';
import type { Host } from '../host/host';
import { realHost } from '../host/real';
import { withContainer } from './lookup';

export interface EventsOptions {
  /** Print the stats once and return (`--stats`). */
  statsOnce: boolean;
  intervalMs: number;
  /** One JSON event per call, without the newline. */
  write(line: string): void;
  warn(message: string): void;
}

/** The cgroups and the init of a created or running container (a stopped one's may be gone any moment). */
function* runningContainer(root: string, id: string, host: Host): Effect<{ cgroup: CgroupManager; pid: number }> {
  return yield* withContainer(host, root, id, false, function* ({ record, status }) {
    if (status === 'stopped' || status === 'creating') throw new ContainerStateError(`container ${id} is not running`, status);
    if (record.cgroup === null) throw new CistaError(`container ${id} has no cgroup to report on`);
    return { cgroup: host.cgroups.reopen(record.cgroup), pid: record.init.pid };
  });
}

/** Resource usage now: runc's `events --stats` data from the cgroup files, and the network namespace's interfaces. */
function usage(cgroup: CgroupManager, pid: number): ContainerStats {
  return { ...cgroup.stats(), network_interfaces: networkInterfaces(pid) };
}

/** The container's resource usage now (runc's `events --stats` data). */
export function* statsSteps(root: string, id: string, host: Host): Effect<ContainerStats> {
  const { cgroup, pid } = yield* runningContainer(root, id, host);
  return usage(cgroup, pid);
}

/**
 * Calls onOom each time the container's cgroup runs out of memory (see CgroupManager.watchOom);
 * null when it has no memory cgroup or has stopped. The watch does not keep Node running.
 */
export function* oomWatchSteps(root: string, id: string, onOom: () => void, host: Host): Effect<OomWatch | null> {
  const cgroup = yield* withContainer(host, root, id, false, function* ({ record, status }) {
    // A stopped container's processes are gone: nothing in it can run out of memory any more.
    return status === 'stopped' || record.cgroup === null ? null : host.cgroups.reopen(record.cgroup);
  });
  return cgroup?.watchOom(onOom, false) ?? null;
}

/**
 * `runc events`: the container's resource usage as {"type":"stats","id","data"} lines, once or every
 * interval, and an {"type":"oom","id"} line each time its cgroup runs out of memory (the cgroup's
 * notification, watched by the event loop). As runc's, the stream lasts until the container's cgroup
 * is removed (its delete).
 */
export async function containerEvents(root: string, id: string, options: EventsOptions, host: Host = realHost): Promise<void> {
  const { cgroup, pid } = runSync(runningContainer(root, id, host));
  const stats = () => options.write(statsJson({ type: 'stats', id, data: usage(cgroup, pid) }));
  if (options.statsOnce) {
    stats();
    return;
  }
  const dirs = Object.values(cgroup.paths);
  const removed = () => !dirs.some((dir) => host.fs.exists(dir));
  await new Promise<void>((resolve) => {
    const oom = cgroup.watchOom(() => options.write(statsJson({ type: 'oom', id })), true);
    const end = () => {
      clearInterval(statsTimer);
      oom?.close();
      resolve();
    };
    const statsTimer = setInterval(() => {
      if (removed()) return end();
      try {
        stats();
      } catch (e) {
        options.warn(`events: ${(e as Error).message}`);
      }
    }, options.intervalMs);
    // A v1 watch ends when the memory cgroup is removed (usually the last of the container's to go);
    // a v2 one when the container's processes are gone, before its delete: the stats timer sees that.
    void oom?.ended.then(() => removed() && end());
  });
}
