import { statsJson } from '../cgroups/stats';
import { CistaError } from '../errors';
import { runSync } from '../host/effect';
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

/** How often the OOM counter is read between stats: an OOM kill is reported within this time. */
const OOM_POLL_MS = 200;

/**
 * `runc events`: the container's resource usage as {"type":"stats","id","data"} lines, once or every
 * interval, and an {"type":"oom","id"} line each time the OOM killer acts in its cgroup. As runc's,
 * the stream lasts until the container's cgroup is removed (its delete).
 */
export async function containerEvents(root: string, id: string, options: EventsOptions, host: Host = realHost): Promise<void> {
  const cgroup = runSync(withContainer(host, root, id, false, function* ({ record, status }) {
    if (status === 'stopped' || status === 'creating') throw new CistaError(`container ${id} is not running`);
    if (record.cgroup === null) throw new CistaError(`container ${id} has no cgroup to report on`);
    return host.cgroups.reopen(record.cgroup);
  }));
  const stats = () => options.write(statsJson({ type: 'stats', id, data: cgroup.stats() }));
  if (options.statsOnce) {
    stats();
    return;
  }
  const dirs = Object.values(cgroup.paths);
  let oomKills = cgroup.oomKills();
  await new Promise<void>((resolve) => {
    const statsTimer = setInterval(() => {
      try {
        stats();
      } catch (e) {
        options.warn(`events: ${(e as Error).message}`);
      }
    }, options.intervalMs);
    const oomTimer = setInterval(() => {
      if (!dirs.some((dir) => host.fs.exists(dir))) {
        clearInterval(statsTimer);
        clearInterval(oomTimer);
        resolve();
        return;
      }
      const now = cgroup.oomKills();
      if (now > oomKills) options.write(statsJson({ type: 'oom', id }));
      oomKills = now;
    }, Math.min(OOM_POLL_MS, options.intervalMs));
  });
}
