/**
 * linux.netDevices: host network devices moved into the container's network namespace at create
 * (renamed when `name` says so, with their permanent global addresses, and up), and moved back
 * under their host names at delete. A new network namespace is pinned by a bind mount in the state
 * directory until then: without it, a container that stops by itself would take its namespace
 * along, and the kernel would destroy virtual devices (a veth, with its peer) and return physical
 * ones under their container names.
 */
import * as path from 'node:path';

import { CistaError, ConfigError, errnoText } from './errors';
import type { Host } from './host/host';
import type { Spec } from './spec/schema';

/** One device: its name on the host and in the container. */
export interface NetDeviceMove {
  host: string;
  container: string;
}

/** What teardown needs: the devices moved, and the namespace they are in. */
export interface NetDevicesRecord {
  devices: NetDeviceMove[];
  /** The container's network namespace: a joined one's path, or the pin of its new one. */
  netns: string;
  /** `netns` is a bind mount of the init's namespace in the state directory, which teardown unmounts. */
  pinned: boolean;
}

/** The file in the state directory that pins a new network namespace. */
const NETNS_PIN = 'netns';
/** The runtime's own network namespace, as the thread calling the addon sees it. */
const RUNTIME_NETNS = '/proc/thread-self/ns/net';

/** The moves config.json asks for, for the container whose state directory is `dir`; null without netDevices. */
export function planNetDevices(spec: Spec, dir: string): NetDevicesRecord | null {
  const entries = Object.entries(spec.linux?.netDevices ?? {});
  if (entries.length === 0) return null;
  const joined = (spec.linux?.namespaces ?? []).find((ns) => ns.type === 'network')?.path;
  return {
    devices: entries.map(([host, device]) => ({ host, container: device.name || host })),
    netns: joined || path.join(dir, NETNS_PIN),
    pinned: !joined,
  };
}

/** Before anything is made: every device must exist in the runtime's network namespace. */
export function checkHostHasNetDevices(files: Host['fs'], record: NetDevicesRecord): void {
  for (const { host } of record.devices) {
    if (!files.exists(`/sys/class/net/${host}`)) {
      throw new ConfigError(`/linux/netDevices/${host}`, `there is no network device ${JSON.stringify(host)} on the host`);
    }
  }
}

/** How create records each step: before it, once done, and when it fails. */
export interface NetDeviceMoveJournal {
  pinning(): void;
  moving(device: NetDeviceMove): void;
  moved(device: NetDeviceMove): void;
  failed(device: NetDeviceMove): void;
}

/** Pins the new network namespace of the init `initPid` if it is one, then moves the devices into it. */
export function moveNetDevicesIn(host: Pick<Host, 'fs' | 'addon'>, record: NetDevicesRecord, initPid: number, journal: NetDeviceMoveJournal): void {
  if (record.pinned) {
    journal.pinning();
    host.fs.writeText(record.netns, '', 0o400);
    host.addon.pinNamespace(`/proc/${initPid}/ns/net`, record.netns);
  }
  for (const device of record.devices) {
    journal.moving(device);
    try {
      host.addon.moveNetDevice(RUNTIME_NETNS, device.host, record.netns, device.container);
    } catch (e) {
      journal.failed(device);
      throw new CistaError(`linux.netDevices: moving ${device.host} into the container as ${device.container}: ${errnoText(e)}`);
    }
    journal.moved(device);
  }
}

/**
 * At teardown: moves the devices back and unpins the namespace. Best effort, as everything in
 * teardown: a device that cannot come back (its host name taken meanwhile) is left to the kernel.
 */
export function moveNetDevicesBack(host: Pick<Host, 'fs' | 'addon'>, record: NetDevicesRecord): void {
  if (!host.fs.exists(record.netns)) return;
  for (const device of record.devices) {
    try {
      host.addon.moveNetDevice(record.netns, device.container, RUNTIME_NETNS, device.host);
    } catch {
      // Not there (gone with a peer), or not pinned yet (a create killed before the mount).
    }
  }
  if (record.pinned) {
    try {
      host.addon.detachMount(record.netns);
    } catch {
      // Not mounted: the create was killed before the pin.
    }
  }
}
