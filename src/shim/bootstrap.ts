/**
 * `containerd-shim-cista-v2 start`: finds or starts the shim server for the container's group and
 * prints its address; and `delete` when there is nothing to clean up. Kept apart from the server so
 * that these short-lived processes load nothing else.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

import { type ShimFlags, parseFlags, stateRoot } from './flags';

/** The annotation containerd's CRI plugin puts on a pod's containers: its sandbox (grouping, as runc's shim does). */
const SANDBOX_ANNOTATION = 'io.kubernetes.cri.sandbox-id';
const SOCKET_DIR = '/run/containerd/s';

function groupOf(bundle: string, id: string): string {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as { annotations?: Record<string, string> };
    return config.annotations?.[SANDBOX_ANNOTATION] || id;
  } catch {
    return id;
  }
}

/** As containerd's shim.SocketAddress: a hash of containerd's address, the namespace and the group. */
function socketPath(address: string, namespace: string, group: string): string {
  const key = path.join(address, namespace, group);
  return path.join(SOCKET_DIR, createHash('sha256').update(key).digest('hex'));
}

function canConnect(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.createConnection(socket);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** The server's stderr: containerd's log fifo in the bundle when it reads one (its shim log), else nothing. */
function logFd(bundle: string): number | 'ignore' {
  try {
    return fs.openSync(path.join(bundle, 'log'), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch {
    return 'ignore';
  }
}

async function start(argv: string[]): Promise<void> {
  const flags = parseFlags(argv);
  const group = groupOf(flags.bundle, flags.id);
  const socket = socketPath(flags.address, flags.namespace, group);
  const address = `unix://${socket}`;
  if (fs.existsSync(socket)) {
    if (group !== flags.id && (await canConnect(socket))) {
      fs.writeFileSync(path.join(flags.bundle, 'address'), address);
      process.stdout.write(address);
      return;
    }
    fs.rmSync(socket, { force: true });
  }
  fs.mkdirSync(SOCKET_DIR, { recursive: true, mode: 0o711 });
  // The server: this program without "start", in a session of its own, serving on `socket`. It says
  // "ready" on its stdout once listening, so containerd's first call finds it.
  const serverArgs = argv.filter((a) => a !== 'start').concat(['-socket', socket]);
  const server = spawn(process.execPath, [...process.execArgv, process.argv[1], ...serverArgs], {
    cwd: flags.bundle,
    detached: true,
    stdio: ['ignore', 'pipe', logFd(flags.bundle)],
  });
  const ready = await new Promise<string>((resolve) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    server.stdout!.on('end', () => resolve(out));
  });
  if (!ready.startsWith('ready')) throw new Error(`the shim server did not start: ${ready.trim() || 'it exited'}`);
  server.unref();
  fs.writeFileSync(path.join(flags.bundle, 'address'), address);
  fs.writeFileSync(path.join(flags.bundle, 'shim.pid'), String(server.pid));
  process.stdout.write(address);
}

/**
 * containerd runs `delete` after every shim's disconnect, even a clean shutdown. When the container
 * is gone and its rootfs unmounted, the answer is an empty DeleteResponse (zero bytes, the message
 * with every field unset) without loading the engine; otherwise the server's cleanup does the work.
 */
function nothingToDelete(flags: ShimFlags): boolean {
  if (fs.existsSync(path.join(stateRoot(flags.namespace), flags.id))) return false;
  try {
    return fs.statSync(path.join(flags.bundle, 'rootfs')).dev === fs.statSync(flags.bundle).dev;
  } catch {
    return true;
  }
}

export function main(argv: string[]): void {
  if (argv.includes('delete')) {
    const flags = parseFlags(argv);
    // The server's bundle, next to this one (a path, so that the bundler leaves it out of this one).
    const server = path.join(__dirname, 'server.js');
    if (!nothingToDelete(flags)) (require(server) as { main(argv: string[]): void }).main(argv);
    return;
  }
  start(argv).catch((e: Error) => {
    process.stderr.write(`containerd-shim-cista-v2: ${e.message}\n`);
    process.exit(1);
  });
}
