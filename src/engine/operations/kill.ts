import { reopenCgroupManager } from '../cgroups';
import { ContainerStateError } from '../errors';
import { withContainer } from './lookup';

/** Sends a signal to the container's init, or with `all` to every process in its cgroup. */
export function killContainer(root: string, id: string, signal: number, all: boolean): void {
  withContainer(root, id, false, ({ record, status }) => {
    if (status !== 'created' && status !== 'running' && status !== 'paused') throw new ContainerStateError('container not running', status);
    const pids = all && record.cgroup ? reopenCgroupManager(record.cgroup.driver, record.cgroup.paths).pids() : [record.init.pid];
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
      }
    }
  });
}
