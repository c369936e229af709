import { reopenCgroupManager } from '../cgroups';
import { CistaError } from '../errors';
import { withContainer } from './lookup';

/** Sends a signal to the container's init, or with `all` to every process in its cgroup. */
export function killContainer(root: string, id: string, signal: number, all: boolean): void {
  withContainer(root, id, false, ({ record, status }) => {
    if (status !== 'created' && status !== 'running' && status !== 'paused') throw new CistaError('container not running');
    const pids = all && record.cgroup ? reopenCgroupManager(record.cgroup).pids() : [record.init.pid];
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
      }
    }
  });
}
