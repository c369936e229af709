/** The real host: the machine cista runs on (see host.ts). */
import { openCgroupManager, reopenCgroupManager } from '../cgroups';
import { type NativeAddon, native } from '../native';
import type { Host, HostWaits } from './host';
import { realClock, realFiles, realFreezer, realProcesses, realWaits } from './real-lookup';

/** The real host with the given waits: the CLI's blocking ones, or the API's (async-waits.ts). */
export function realHostWith(waits: HostWaits): Host {
  return {
    fs: realFiles,
    proc: realProcesses,
    clock: realClock,
    freezer: realFreezer,
    cgroups: {
      open: (config) => openCgroupManager(config),
      reopen: (cgroups) => reopenCgroupManager(cgroups),
    },
    waits,
    get addon(): NativeAddon {
      return native();
    },
  };
}

export const realHost: Host = realHostWith(realWaits);
