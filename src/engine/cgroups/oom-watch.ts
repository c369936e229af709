/**
 * OOM notifications of a container's cgroup, delivered by Node's event loop: no thread and no timer
 * per container. The kernel makes an fd readable (the addon's cgroup_events.cc); this file decides
 * what a wake-up means.
 * - cgroup v1, as runc's notify: an eventfd registered in cgroup.event_control for memory.oom_control.
 *   The kernel signals it at each OOM and once more when the cgroup is removed.
 * - cgroup v2, as runc and crun: inotify on memory.events, where an increase of the `oom` or
 *   `oom_kill` counter is an OOM, and on cgroup.events, where `populated 0` says the last process
 *   has exited: nothing more can run out of memory, and the watch ends. (Removing a cgroup2 directory
 *   sends inotify nothing, but it cannot be removed before it is empty.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { native } from '../native';
import type { OomWatch } from './manager';
import { readKeyValues } from './stats';

/** What a wake-up of the fd meant: whether there was an OOM, and whether the watch is over. */
interface Wake {
  oom: boolean;
  over: boolean;
}

/** One fd watched until the cgroup is gone or close(): re-armed after each wake-up, as watchReadable fires once. */
class CgroupFdWatch implements OomWatch {
  readonly ended: Promise<void>;
  private endWatch!: () => void;
  private watchId = 0;
  private closed = false;

  constructor(
    private readonly fd: number,
    private readonly woke: () => Wake,
    private readonly onOom: () => void,
    private readonly keepAlive: boolean,
  ) {
    this.ended = new Promise((resolve) => (this.endWatch = resolve));
    this.arm();
  }

  private arm(): void {
    this.watchId = native().watchReadable(
      this.fd,
      (error) => {
        this.watchId = 0;
        native().drainFd(this.fd);
        const wake = error === null ? this.woke() : { oom: false, over: true };
        // Armed again (or closed) before the listener runs: a listener that throws changes nothing.
        if (wake.over) this.close();
        else this.arm();
        if (wake.oom) this.onOom();
      },
      this.keepAlive,
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.watchId !== 0) native().cancelWatch(this.watchId);
    fs.closeSync(this.fd);
    this.endWatch();
  }
}

/** cgroup v1: `memoryDir` is the container's directory in the memory hierarchy. */
export function watchV1Oom(memoryDir: string, onOom: () => void, keepAlive: boolean): OomWatch {
  const fd = native().registerCgroupEvent(memoryDir, 'memory.oom_control');
  // The removal's signal looks like an OOM's: the cgroup's files tell them apart.
  const woke = (): Wake => (fs.existsSync(path.join(memoryDir, 'cgroup.event_control')) ? { oom: true, over: false } : { oom: false, over: true });
  return new CgroupFdWatch(fd, woke, onOom, keepAlive);
}

/** The counters of memory.events that count OOMs: `oom` (the limit was hit) and `oom_kill` (a process was killed for it). */
function oomCounters(dir: string): [bigint, bigint] {
  const events = readKeyValues(dir, 'memory.events');
  return [events.get('oom') ?? 0n, events.get('oom_kill') ?? 0n];
}

/** Whether a v2 cgroup (or a descendant) still has a process; false once it is gone. */
function populated(dir: string): boolean {
  return readKeyValues(dir, 'cgroup.events').get('populated') === 1n;
}

/** cgroup v2: null when the cgroup has no memory controller (no memory.events). */
export function watchV2Oom(dir: string, onOom: () => void, keepAlive: boolean): OomWatch | null {
  const eventsFile = path.join(dir, 'memory.events');
  if (!fs.existsSync(eventsFile)) return null;
  // Watched before the files are first read, so that no change falls between.
  const fd = native().watchFileChanges([eventsFile, path.join(dir, 'cgroup.events')]);
  let [oom, oomKill] = oomCounters(dir);
  const woke = (): Wake => {
    const [nowOom, nowOomKill] = oomCounters(dir);
    const increased = nowOom > oom || nowOomKill > oomKill;
    [oom, oomKill] = [nowOom, nowOomKill];
    return { oom: increased, over: !populated(dir) };
  };
  const watch = new CgroupFdWatch(fd, woke, onOom, keepAlive);
  if (!populated(dir)) watch.close();
  return watch;
}
