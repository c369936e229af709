import { CistaError, ContainerStateError } from '../errors';
import { type Effect, runSync } from '../host/effect';
import type { Host } from '../host/host';
import { realHost } from '../host/real';
import { checkConfigPart, readJsonDocument, validateSpecObject } from '../spec/load';
import type { LinuxResources, Spec } from '../spec/schema';
import { withContainer } from './lookup';

/** Reads update's --resources: a file, or "-" for stdin (containerd's shim). */
export function readResources(file: string, host: Pick<Host, 'fs'> = realHost): unknown {
  return file === '-' ? readJsonDocument(host.fs, 0, 'stdin') : readJsonDocument(host.fs, file, file);
}

/**
 * Changes the cgroup limits of a created, running or paused container, like `runc update`: only the
 * fields given are written. As with runc, device rules are not changed (they stay as create set them).
 */
export function* updateSteps(root: string, id: string, resources: unknown, label: string, host: Host): Effect<void> {
  yield* withContainer(host, root, id, true, function* ({ record, status }) {
    if (status === 'stopped' || status === 'creating') throw new ContainerStateError(`cannot update a ${status} container`, status);
    if (record.cgroup === null) throw new CistaError('the container has no cgroup to update');
    const cgroup = host.cgroups.reopen(record.cgroup);
    const planned = checkConfigPart('/linux/resources', label, () => {
      const spec = validateSpecObject({ ociVersion: record.ociVersion, linux: { resources } }) as Spec;
      const { devices: _, ...limits } = spec.linux!.resources as LinuxResources;
      return cgroup.planResources(limits);
    });
    checkConfigPart('/linux/resources', label, () => cgroup.update(planned));
  });
}

export function updateContainer(root: string, id: string, resources: unknown, label: string, host: Host = realHost): void {
  runSync(updateSteps(root, id, resources, label, host));
}
