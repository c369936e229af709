/**
 * Rootless: cista called by an unprivileged user (euid != 0), or as root of a user namespace that
 * has no privileges on the host (how rootless Podman calls it). The rules are runc's rootless mode:
 * a container of a non-root caller needs a user namespace, the state lives under $XDG_RUNTIME_DIR,
 * cgroups are used only where the caller may write them, and the id maps of more than the caller's
 * own id are written by the setuid newuidmap/newgidmap, which check /etc/subuid and /etc/subgid.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ConfigError } from './errors';
import { CLONE_NEWUSER } from './plan/namespaces';
import type { IdMaps } from './plan/plan';
import { formatIdMap, mapsId } from './spec/id-mappings';
import { type Caller, caller, unprivilegedOnHost } from './caller';
import type { IdMapping, Spec } from './spec/schema';
import { RLIMIT_TYPES } from './spec/vocabulary';

/** A one-line map of `hostId` alone: what an unprivileged caller may write itself. */
function isOwnIdOnly(mappings: readonly IdMapping[], hostId: number): boolean {
  return mappings.length === 1 && mappings[0].hostID === hostId && mappings[0].size === 1;
}

/** Where a program is on PATH, or undefined. */
function findOnPath(program: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const candidate = path.join(dir === '' ? '.' : dir, program);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/**
 * How the runtime writes a new user namespace's maps. An unprivileged caller can write only a
 * one-line map of its own id, and its gid_map only after denying setgroups there; anything more
 * goes through newuidmap/newgidmap (argv after the pid: "containerID hostID size" triples).
 */
export function idMapWriter(uidMappings: readonly IdMapping[], gidMappings: readonly IdMapping[], who: Caller = caller()): IdMaps {
  const writer: IdMaps = { uidMap: formatIdMap(uidMappings), gidMap: formatIdMap(gidMappings), denySetgroups: false, uidMapTool: '', gidMapTool: '' };
  if (!who.rootlessEuid) return writer;
  const tool = (program: string, field: string, idKind: string, file: string): string => {
    const found = findOnPath(program);
    if (found === undefined) {
      throw new ConfigError(
        `/linux/${field}`,
        `mapping more than the caller's own ${idKind} (${idKind === 'uid' ? who.uid : who.gid}) needs ${program} ` +
          `(Debian's uidmap package) and a range for the user in ${file}`,
      );
    }
    return found;
  };
  if (!isOwnIdOnly(uidMappings, who.uid)) writer.uidMapTool = tool('newuidmap', 'uidMappings', 'uid', '/etc/subuid');
  if (isOwnIdOnly(gidMappings, who.gid)) writer.denySetgroups = true;
  else writer.gidMapTool = tool('newgidmap', 'gidMappings', 'gid', '/etc/subgid');
  return writer;
}

/** The numeric value of each `name=` option in a mount's options (uid=, gid=). */
function numericOptions(options: readonly string[], name: string): number[] {
  return options.filter((o) => o.startsWith(`${name}=`) && /^\d+$/.test(o.slice(name.length + 1))).map((o) => Number(o.slice(name.length + 1)));
}

/** The hard limits of /proc/<pid>/limits by RLIMIT number (its rows are in that order); unlimited is 2^64-1. */
export function parseHardLimits(text: string): bigint[] {
  return text
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      // "%-25s %-20s %-20s %-10s": the name may hold single spaces, the values none.
      const hard = /^.{25} +\S+ +(\S+)/.exec(line)?.[1] ?? 'unlimited';
      return hard === 'unlimited' ? 0xffffffffffffffffn : BigInt(hard);
    });
}

/**
 * Raising a hard rlimit takes CAP_SYS_RESOURCE on the host, which a rootless caller lacks (runc
 * then fails with EPERM from prlimit): say which field and how far it may go, before anything runs.
 */
function checkRlimits(spec: Spec, hardLimits: readonly bigint[]): void {
  (spec.process?.rlimits ?? []).forEach((rlimit, index) => {
    const own = hardLimits[(RLIMIT_TYPES as readonly string[]).indexOf(rlimit.type)];
    if (own !== undefined && BigInt(rlimit.hard) > own) {
      throw new ConfigError(
        `/process/rlimits/${index}/hard`,
        `raising ${rlimit.type} to ${rlimit.hard} needs CAP_SYS_RESOURCE on the host, ` +
          `which rootless cista lacks: use at most ${own} (its own hard limit)`,
      );
    }
  });
}

/**
 * runc's rootless checks, made before anything touches the host: a non-root caller's container
 * needs a user namespace (it cannot do anything privileged outside one), a mount's uid=/gid= must
 * be mapped, and with setgroups denied (a one-gid map) no additional groups can be set; and no
 * rootless caller can raise a hard rlimit.
 */
export function checkRootlessConfig(spec: Spec, who: Caller = caller(), readLimits = () => fs.readFileSync('/proc/self/limits', 'utf8')): void {
  if (unprivilegedOnHost(who) && (spec.process?.rlimits ?? []).length > 0) checkRlimits(spec, parseHardLimits(readLimits()));
  if (!who.rootlessEuid) return;
  const linux = spec.linux ?? {};
  const user = (linux.namespaces ?? []).find((ns) => ns.type === 'user');
  if (user === undefined) {
    throw new ConfigError(
      `/linux/namespaces`,
      `cista runs as uid ${who.uid}, not root, so the container needs a user namespace: ` +
        'add {"type": "user"} with /linux/uidMappings and /linux/gidMappings (`cista spec --rootless` writes such a config)',
    );
  }
  if (user.path !== undefined && user.path !== '') return;
  const uidMappings = linux.uidMappings ?? [];
  const gidMappings = linux.gidMappings ?? [];
  (spec.mounts ?? []).forEach((mount, index) => {
    for (const [name, mappings] of [['uid', uidMappings], ['gid', gidMappings]] as const) {
      for (const id of numericOptions(mount.options ?? [], name)) {
        if (!mapsId(mappings, id)) {
          throw new ConfigError(`/mounts/${index}/options`, `${name}=${id} is not mapped in the container's user namespace (/linux/${name}Mappings)`);
        }
      }
    }
  });
  if (isOwnIdOnly(gidMappings, who.gid) && (spec.process?.user?.additionalGids ?? []).length > 0) {
    throw new ConfigError(
      '/process/user/additionalGids',
      'cannot be set in a rootless container whose gid map is only the caller\'s own gid ' +
        '(setgroups is denied there): map a range from /etc/subgid instead',
    );
  }
}

/**
 * What to do when the host refuses an unprivileged caller a new user namespace (clone) or its maps
 * (newuidmap): '' when the caller is privileged or the failure is something else.
 */
export function spawnFailureHint(error: NodeJS.ErrnoException, cloneFlags: number, who: Caller = caller()): string {
  if (!who.rootlessEuid || (cloneFlags & CLONE_NEWUSER) === 0) return '';
  if (/^clone: /.test(error.message) && ['EPERM', 'ENOSPC', 'EACCES'].includes(error.code ?? '')) {
    return (
      ' (this host does not let users create user namespaces: raise the sysctl user.max_user_namespaces, and set ' +
      'kernel.unprivileged_userns_clone=1 or kernel.apparmor_restrict_unprivileged_userns=0 where the kernel has them)'
    );
  }
  if (/_map of the new user namespace/.test(error.message)) {
    return ` (the mappings must be the caller's own ids or ranges that /etc/subuid and /etc/subgid give user ${who.uid})`;
  }
  return '';
}
