/**
 * AppArmor and SELinux: whether the host has them, and where a config's profile and labels apply,
 * as runc decides it. The init writes the profile and the process label to /proc/self/attr right
 * before execve, the key label before it makes the session keyring, and the mount label goes on
 * the mounts runc labels (a `context="..."` option in their data; masked directories' tmpfs and
 * mqueue in the init).
 */
import { ConfigError } from './errors';
import type { HostFiles } from './host/host';
import { type MountStep, MountKind } from './plan/plan';
import type { Spec } from './spec/schema';

/** What the host has; a fake in unit tests. */
export interface SecurityModules {
  apparmor: boolean;
  selinux: boolean;
}

function readText(files: HostFiles, file: string): string | undefined {
  try {
    return files.readText(file);
  } catch {
    return undefined;
  }
}

/**
 * AppArmor: the module's "enabled" parameter (runc's test also wants securityfs mounted, but runc
 * applies a profile whenever the kernel takes it, which needs only the module); SELinux: go-selinux's
 * test (selinuxfs mounted, and the process has a label other than "kernel"). Each is looked up on
 * first use: only a config that names a profile or label needs to know.
 */
export function hostSecurityModules(files: HostFiles): SecurityModules {
  let apparmor: boolean | undefined;
  let selinux: boolean | undefined;
  return {
    get apparmor(): boolean {
      apparmor ??= (readText(files, '/sys/module/apparmor/parameters/enabled') ?? '').startsWith('Y');
      return apparmor;
    },
    get selinux(): boolean {
      if (selinux === undefined) {
        const label = readText(files, '/proc/self/attr/selinux/current') ?? readText(files, '/proc/self/attr/current');
        selinux = files.exists('/sys/fs/selinux/enforce') && label !== undefined && !['', 'kernel'].includes(label.replace(/\0/g, '').trim());
      }
      return selinux;
    },
  };
}

/** Filesystems runc mounts without linux.mountLabel: proc and sysfs, mqueue (labelled as a file instead), cgroups. */
const UNLABELLED_FILESYSTEMS = new Set(['proc', 'sysfs', 'mqueue', 'cgroup', 'cgroup2']);

/** Whether runc gives this mount a `context=` option: new filesystems other than the ones above; never a bind. */
export function takesMountLabel(step: MountStep): boolean {
  return step.kind === MountKind.Filesystem && !UNLABELLED_FILESYSTEMS.has(step.fstype);
}

/** Mount data with the SELinux context appended as go-selinux's FormatMountLabel writes it (quoted: labels hold commas). */
export function withMountLabel(data: string, label: string): string {
  const option = `context="${label}"`;
  return data === '' ? option : `${data},${option}`;
}

/** linux.mountLabel put on the steps that take it (a new list; the steps are not changed). */
export function labelMounts(steps: readonly MountStep[], label: string): MountStep[] {
  return steps.map((step) => (label !== '' && takesMountLabel(step) ? { ...step, data: withMountLabel(step.data, label) } : step));
}

/** The AppArmor profile and SELinux label of a process, checked against the host as runc does; '' for none. */
export interface ProcessSecurity {
  apparmorProfile: string;
  processLabel: string;
}

/**
 * runc refuses a process label without SELinux (its validator) and fails to apply a profile without
 * AppArmor (the write to /proc/self/attr/exec is EINVAL): both become config errors here, before
 * the host is touched. `base` is the pointer of the process object (/process).
 */
export function processSecurity(process: { apparmorProfile?: string; selinuxLabel?: string } | undefined, host: SecurityModules, base = '/process'): ProcessSecurity {
  const apparmorProfile = process?.apparmorProfile ?? '';
  const processLabel = process?.selinuxLabel ?? '';
  if (apparmorProfile !== '' && !host.apparmor) {
    throw new ConfigError(`${base}/apparmorProfile`, 'AppArmor is not enabled on this host: remove the profile, or run on a host with AppArmor');
  }
  if (processLabel !== '' && !host.selinux) {
    throw new ConfigError(`${base}/selinuxLabel`, 'SELinux is not enabled on this host: remove the label, or run on a host with SELinux');
  }
  return { apparmorProfile, processLabel };
}

/**
 * linux.mountLabel as the plan uses it: '' when there is none or SELinux is off and no mount would
 * take it (runc then ignores it, as for mqueue); an error naming the mount where runc's mount would
 * fail (the kernel refuses `context=` without SELinux). `note` hears what was ignored (--debug).
 */
export function effectiveMountLabel(spec: Spec, steps: readonly MountStep[], host: SecurityModules, note: (message: string) => void): string {
  const label = spec.linux?.mountLabel ?? '';
  if (label === '' || host.selinux) return label;
  const labelled = steps.find(takesMountLabel);
  if (labelled !== undefined) {
    const index = (spec.mounts ?? []).findIndex((m) => m.destination === labelled.destination);
    const where = index >= 0 ? `/mounts/${index} (${labelled.fstype} on ${labelled.destination})` : `the ${labelled.fstype} on ${labelled.destination}`;
    throw new ConfigError(
      '/linux/mountLabel',
      `SELinux is not enabled on this host, and ${where} would need the label as its context= option: remove the label, or run on a host with SELinux`,
    );
  }
  note('linux.mountLabel ignored: SELinux is not enabled on this host and no mount takes the label as an option (runc ignores it there too)');
  return '';
}
