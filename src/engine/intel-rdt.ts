/**
 * linux.intelRdt (Intel RDT / AMD QoS through the resctrl filesystem). Checked before the host is
 * touched: the CLOS name, then the host, since without a mounted resctrl nothing of it can apply
 * (runc refuses such a config the same way). The resctrl writes themselves are not implemented
 * yet, and cannot be tested on a host without resctrl: a host that has it gets "not supported yet".
 */
import { ConfigError } from './errors';
import { parseMountInfo } from './mountinfo';
import type { LinuxIntelRdt } from './spec/schema';

const POINTER = '/linux/intelRdt';

/** Throws ConfigError naming the field when `rdt` cannot be honoured on a host with this mountinfo. */
export function checkIntelRdt(rdt: LinuxIntelRdt | undefined, mountInfo: string): void {
  if (rdt === undefined) return;
  const closID = rdt.closID;
  // The CLOS is a directory of /sys/fs/resctrl, named by closID (or the container id).
  if (closID !== undefined && (closID === '' || closID === '.' || closID === '..' || closID.includes('/'))) {
    throw new ConfigError(`${POINTER}/closID`, `${JSON.stringify(closID)} cannot name a directory of the resctrl filesystem`);
  }
  if (!parseMountInfo(mountInfo).some((m) => m.fstype === 'resctrl')) {
    throw new ConfigError(POINTER, 'this host has no resctrl filesystem mounted (it needs Intel RDT or AMD QoS, and resctrl mounted at /sys/fs/resctrl)');
  }
  throw new ConfigError(POINTER, 'not supported yet (cista does not write resctrl groups)');
}
