/** The real host: the machine cista runs on (see host.ts). */
import { openCgroupManager, reopenCgroupManager } from '../cgroups';
import { type NativeAddon, native } from '../native';
import type { Host } from './host';
import { realClock, realFiles, realFreezer, realProcesses } from './real-lookup';

export const realHost: Host = {
  fs: realFiles,
  proc: realProcesses,
  clock: realClock,
  freezer: realFreezer,
  cgroups: {
    open: (config) => openCgroupManager(config),
    reopen: (cgroups) => reopenCgroupManager(cgroups.driver, cgroups.paths, cgroups.created),
  },
  get addon(): NativeAddon {
    return native();
  },
};
