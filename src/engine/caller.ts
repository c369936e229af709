/**
 * Who runs cista, as the rootless rules (rootless.ts) need to know: its effective ids, and whether it
 * is in a user namespace other than the host's. Kept apart and small: every CLI start asks it for the
 * default --root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { DEFAULT_ROOT } from './state/store';

export interface Caller {
  uid: number;
  gid: number;
  /** euid != 0 (runc's RootlessEUID). */
  rootlessEuid: boolean;
  /** In a user namespace other than the host's: its /proc/self/uid_map is not the identity map. */
  inUserNamespace: boolean;
}

/** moby/sys/userns's test: the initial user namespace maps every id to itself. */
function readInUserNamespace(): boolean {
  let text: string;
  try {
    text = fs.readFileSync('/proc/self/uid_map', 'utf8');
  } catch {
    return false;
  }
  return text.trim().split(/\s+/).join(' ') !== '0 0 4294967295';
}

let cachedCaller: Caller | undefined;

export function caller(): Caller {
  if (cachedCaller === undefined) {
    const uid = process.geteuid?.() ?? 0;
    cachedCaller = { uid, gid: process.getegid?.() ?? 0, rootlessEuid: uid !== 0, inUserNamespace: readInUserNamespace() };
  }
  return cachedCaller;
}

/**
 * No capabilities in the host's user namespace: runc's rootless cgroup manager (cgroupfs driver:
 * cgroups may not be writable, and a container without a cgroupsPath then runs without them unless
 * it asks for limits); no raising of hard rlimits; no entering or leaving namespaces the host owns.
 */
export function unprivilegedOnHost(who: Caller = caller()): boolean {
  return who.rootlessEuid || who.inUserNamespace;
}

/**
 * The default --root, as runc's: $XDG_RUNTIME_DIR/cista for an unprivileged caller and for root of
 * a user namespace whose $USER is not root; /run/cista for the host's root (whose XDG_RUNTIME_DIR
 * may be /run/user/0). An empty XDG_RUNTIME_DIR (conmon passes one) counts as unset.
 */
export function defaultRoot(env: NodeJS.ProcessEnv = process.env, who?: Pick<Caller, 'rootlessEuid' | 'inUserNamespace'>): string {
  const xdg = env.XDG_RUNTIME_DIR ?? '';
  if (xdg === '') return DEFAULT_ROOT;
  const { rootlessEuid, inUserNamespace } = who ?? caller();
  const honour = rootlessEuid || (inUserNamespace && env.USER !== 'root');
  return honour ? path.join(xdg, 'cista') : DEFAULT_ROOT;
}
