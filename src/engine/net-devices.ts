/**
 * linux.netDevices: host network devices moved into the container's network namespace at create
 * (renamed when `name` says so, with their permanent global addresses, and up), and moved back
 * under their host names when the container is deleted while its network namespace still exists.
 * Once that namespace is gone the kernel has already decided: it returns physical devices to the
 * initial namespace (under their container names) and destroys virtual ones (a veth, with its peer).
 */
import * as fs from 'node:fs';

import { CistaError, ConfigError } from './errors';
import { native } from './native';
import type { Spec } from './spec/schema';

/** One device: its name on the host and in the container. */
export interface NetDeviceMove {
  host: string;
  container: string;
}

/** What teardown needs: the devices, and the network namespace they went to unless it is the init's own. */
export interface NetDevicesRecord {
  devices: NetDeviceMove[];
  /** A joined namespace's path; null: the init's new one (/proc/<init pid>/ns/net). */
  joinedNetns: string | null;
}

/** The runtime's own network namespace, as the thread calling the addon sees it. */
const RUNTIME_NETNS = '/proc/thread-self/ns/net';

/** The moves config.json asks for, and the joined namespace they target; null without netDevices. */
export function planNetDevices(spec: Spec): NetDevicesRecord | null {
  const entries = Object.entries(spec.linux?.netDevices ?? {});
  if (entries.length === 0) return null;
  const network = (spec.linux?.namespaces ?? []).find((ns) => ns.type === 'network');
  return {
    devices: entries.map(([host, device]) => ({ host, container: device.name || host })),
    joinedNetns: network?.path || null,
  };
}

/** Before anything is made: every device must exist in the runtime's network namespace. */
export function checkHostHasNetDevices(record: NetDevicesRecord): void {
  for (const { host } of record.devices) {
    if (!fs.existsSync(`/sys/class/net/${host}`)) {
      throw new ConfigError(`config.json: /linux/netDevices/${host}: there is no network device ${JSON.stringify(host)} on the host`);
    }
  }
}

/** How create records each move: before it, once done, and when it fails. */
export interface NetDeviceMoveJournal {
  moving(device: NetDeviceMove): void;
  moved(device: NetDeviceMove): void;
  failed(device: NetDeviceMove): void;
}

/** Moves the devices into the namespace of the init `initPid` (or the joined one). */
export function moveNetDevicesIn(record: NetDevicesRecord, initPid: number, journal: NetDeviceMoveJournal): void {
  const target = record.joinedNetns ?? `/proc/${initPid}/ns/net`;
  for (const device of record.devices) {
    journal.moving(device);
    try {
      native().moveNetDevice(RUNTIME_NETNS, device.host, target, device.container);
    } catch (e) {
      journal.failed(device);
      throw new CistaError(`linux.netDevices: moving ${device.host} into the container as ${device.container}: ${(e as Error).message}`);
    }
    journal.moved(device);
  }
}

/**
 * At teardown, before the init is killed: moves back what is still in the container's namespace.
 * Best effort, as everything in teardown: a device that cannot come back is left to the kernel.
 */
export function moveNetDevicesBack(record: NetDevicesRecord, initPid: number | null): void {
  const source = record.joinedNetns ?? (initPid !== null ? `/proc/${initPid}/ns/net` : null);
  if (source === null || !fs.existsSync(source)) return;
  for (const { host, container } of record.devices) {
    try {
      native().moveNetDevice(source, container, RUNTIME_NETNS, host);
    } catch {
      // Not there (never moved, or gone with a peer), or the host name is taken now.
    }
  }
}
