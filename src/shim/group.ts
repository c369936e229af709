import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

import type { ShimFlags } from './flags';

/**
 * The annotations that name a container's group, first found wins (as runc's shim has its own and the
 * pod's): ours, for any containers a client wants served by one shim, then the one containerd's CRI
 * plugin puts on a pod's containers, its sandbox.
 */
const GROUP_ANNOTATIONS = ['io.containerd.cista.v2.group', 'io.kubernetes.cri.sandbox-id'];
const SOCKET_DIR = '/run/containerd/s';
/**
 * The group of the containers that name none: the namespace's warm shim (src/shim/warm.ts). Not a
 * valid container id (ids begin with a letter or digit), so never a pod's sandbox.
 */
const WARM_GROUP = '_warm';

/** The group a container's shim serves: the one its annotations name, or the namespace's warm shim. */
function groupOf(bundle: string): string {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as { annotations?: Record<string, string> };
    return GROUP_ANNOTATIONS.map((key) => config.annotations?.[key]).find((group) => group !== undefined && group !== '') ?? WARM_GROUP;
  } catch {
    return WARM_GROUP;
  }
}

/** Whether a shim answers on `socket` (a cold start's probe; a warm shim takes a connection as a sign of use). */
export function canConnect(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.createConnection(socket);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/**
 * `start`'s first step: the socket of the container's group, as containerd's shim.SocketAddress makes
 * it (a hash of containerd's address, the namespace and the group), and whether a live shim of the
 * same group already serves there (then its address is the answer). A stale socket is removed; a
 * pod's first container (the sandbox, whose group is its own id) never finds a live one.
 */
export async function groupSocket(flags: ShimFlags): Promise<{ socket: string; serving: boolean; warm: boolean }> {
  const group = groupOf(flags.bundle);
  const warm = group === WARM_GROUP;
  const socket = path.join(SOCKET_DIR, createHash('sha256').update(path.join(flags.address, flags.namespace, group)).digest('hex'));
  if (fs.existsSync(socket)) {
    if (group !== flags.id && (await canConnect(socket))) return { socket, serving: true, warm };
    fs.rmSync(socket, { force: true });
  }
  fs.mkdirSync(SOCKET_DIR, { recursive: true, mode: 0o711 });
  return { socket, serving: false, warm };
}
