import type { Host, HostWaits } from './host';

/**
 * The CLI's waits (see HostWaits): each blocks until done, through the host's own blocking calls, so
 * a fake host's recording of those calls covers them too.
 */
export function blockingWaits(host: Pick<Host, 'addon' | 'fs' | 'proc' | 'clock'>): HostWaits {
  return {
    *lock(dir, exclusive) {
      return host.addon.lockFile(dir, exclusive);
    },
    unlock(fd) {
      host.fs.close(fd);
    },
    *receive(syncFd, maxBytes) {
      return host.addon.receiveMessage(syncFd, maxBytes);
    },
    *spawnInit(request) {
      return host.addon.spawnInit(request);
    },
    *joinCgroup(cgroup, pid) {
      cgroup.join(pid);
    },
    *run(program) {
      return host.proc.run(program);
    },
    *idle(pollMs) {
      host.clock.sleep(pollMs);
    },
    *letOthersRun() {},
  };
}
