/**
 * The shim server: containerd's Task service over ttrpc, running the engine in this process. `start`
 * runs it (bin/containerd-shim-cista-v2 starts it in the background and relays the address it prints),
 * or finds the live one of the container's group (a pod's, or the namespace's warm shim, whose
 * published address the launcher answers itself when it can: src/shim/warm.ts); `delete` is
 * containerd's cleanup after a shim died. Bundled into dist/shim/bundle.js, run by the process's
 * entry (src/shim/entry.ts) through V8's code cache.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { Runtime } from '../api/runtime';
import { native } from '../engine/native';
import { containerd } from '../generated/containerd';
import { Publisher, timestamp } from './events';
import { type ShimFlags, parseFlags, stateRoot } from './flags';
import { canConnect, groupSocket } from './group';
import { IdleRelease } from './memory';
import { reapOrphans } from './reaper';
import { TASK_SERVICE, TaskService } from './service';
import { type Handler, TtrpcServer } from './ttrpc';
import { Lifetime, PublishedAddress, lingerMs, unpublishDead } from './warm';

const FLUSH_TIMEOUT_MS = 2000;

/** Where log lines go: stderr (containerd's log fifo of the shim's first task), then logTo's. */
let logFd = 2;

/**
 * A line to containerd's log fifo. Written directly: process.stderr's stream costs a fresh shim a few
 * ms to make on first use, and -debug logs every call.
 */
function log(message: string): void {
  try {
    fs.writeSync(logFd, `${new Date().toISOString()} cista shim ${process.pid}: ${message}\n`);
  } catch {
    // Nowhere to log to (or the fifo is full): the shim serves on.
  }
}

/**
 * Log lines go to the newest task's log fifo: containerd reads a task's while the task lives, and a
 * warm shim outlives its first. Opened read-write (no reader needed) and non-blocking: a fifo nobody
 * reads any more loses lines once full rather than stopping the shim.
 */
function logTo(bundle: string): void {
  let fd: number;
  try {
    fd = fs.openSync(path.join(bundle, 'log'), fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  } catch {
    return;
  }
  if (!fs.fstatSync(fd).isFIFO()) return fs.closeSync(fd);
  if (logFd !== 2) fs.closeSync(logFd);
  logFd = fd;
}

/**
 * Writes the address where containerd looks for it and answers it on stdout, then closes stdout: the
 * launcher reads until its end (process.stdout.end() would leave fd 1 open). /dev/null takes fd 1 over,
 * so that nothing opened later lands on it.
 */
function answer(flags: ShimFlags, address: string): void {
  fs.writeFileSync(path.join(flags.bundle, 'address'), address);
  fs.writeSync(1, address);
  fs.closeSync(1);
  fs.openSync('/dev/null', 'w');
}

/** Called by a server that served and shuts down cleanly: its compiled code is worth keeping for the next shim. */
type SaveCodeCache = () => void;

async function start(flags: ShimFlags, saveCodeCache?: SaveCodeCache): Promise<void> {
  // Twice at most: a concurrent start of the same group may listen first (EADDRINUSE), then it serves.
  for (let attempt = 1; ; attempt++) {
    const { socket, serving, warm } = await groupSocket(flags);
    if (serving) return answer(flags, `unix://${socket}`);
    try {
      await serve({ ...flags, socket }, warm, saveCodeCache);
    } catch (e) {
      if ((e as { code?: string }).code === 'EADDRINUSE' && attempt === 1) continue;
      throw e;
    }
    fs.writeFileSync(path.join(flags.bundle, 'shim.pid'), String(process.pid));
    return answer(flags, `unix://${socket}`);
  }
}

/** Removes the socket if it is still the one this server listens on (a later shim of the group may own the path). */
function removeSocketOf(socket: string, inode: number): void {
  try {
    if (fs.statSync(socket).ino === inode) fs.rmSync(socket, { force: true });
  } catch {
    // Already gone.
  }
}

async function serve(flags: ShimFlags, warm: boolean, saveCodeCache?: SaveCodeCache): Promise<void> {
  logTo(flags.bundle);
  const runtime = new Runtime({ root: stateRoot(flags.namespace), onWarning: log });
  const publisher = new Publisher(process.env.TTRPC_ADDRESS ?? `${flags.address}.ttrpc`, flags.namespace, log);
  const server = new TtrpcServer(flags.debug ? log : undefined);
  let inode = -1;
  const exit = (): void => {
    server.close();
    removeSocketOf(flags.socket, inode);
    // Events still queued get a moment to reach containerd (which may be gone).
    const timeout = new Promise((resolve) => setTimeout(resolve, FLUSH_TIMEOUT_MS));
    void Promise.race([publisher.flushed(), timeout]).then(() => {
      saveCodeCache?.();
      process.exit(0);
    });
  };
  // The namespace's warm shim lingers after its last task, its address published for the launcher;
  // a pod's exits with its last.
  const lifetime = warm
    ? Lifetime.warm(new PublishedAddress(flags.namespace, flags.socket, flags.address), lingerMs(process.env, log), exit)
    : new Lifetime({ lingerMs: 0, exit });
  // A pod's shim lives long and is idle most of the time: what start-up and bursts of calls left
  // resident is given back once they are over.
  const idle = new IdleRelease();
  server.register(TASK_SERVICE, touchingAfterEach(new TaskService(runtime, publisher, lifetime, logTo, flags.namespace).handlers(), idle));
  await server.listen(flags.socket);
  inode = fs.statSync(flags.socket).ino;
  // Orphaned descendants become ours (reaped by reapOrphans), as with containerd's own shims.
  native().setChildSubreaper();
  server.server.on('connection', () => lifetime.touched());
  if (warm) lifetime.idle();
  idle.touch();
  reapOrphans();
  process.on('SIGTERM', () => lifetime.exitNow());
  process.on('SIGPIPE', () => {});
  if (flags.debug) log(`serving ${(process.uptime() * 1000).toFixed(0)} ms after the process started`);
}

function touchingAfterEach(handlers: Record<string, Handler>, idle: IdleRelease): Record<string, Handler> {
  const wrapped: Record<string, Handler> = {};
  for (const [name, handler] of Object.entries(handlers)) wrapped[name] = (payload) => handler(payload).finally(() => idle.touch());
  return wrapped;
}

/** After a shim died: kill and delete the container, unmount its rootfs, remove its socket, answer a DeleteResponse. */
async function cleanup(flags: ShimFlags): Promise<void> {
  const runtime = new Runtime({ root: stateRoot(flags.namespace), onWarning: log });
  let pid = 0;
  try {
    const container = await runtime.get(flags.id);
    pid = container.pid;
    await container.delete({ force: true });
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOCONTAINER') throw e;
  }
  try {
    native().detachMount(path.join(flags.bundle, 'rootfs'));
  } catch {
    // Not mounted (or already gone): nothing to undo.
  }
  // The dead shim's socket, as runc's shim removes it, unless a live shim serves there: the group's
  // next shim, or the warm shim this task shared (a delete after a failed Create).
  let socket = '';
  try {
    socket = fs.readFileSync(path.join(flags.bundle, 'address'), 'utf8').replace(/^unix:\/\//, '');
  } catch {
    // No address file: the shim never answered start.
  }
  if (socket !== '' && !(await canConnect(socket))) fs.rmSync(socket, { force: true });
  unpublishDead(flags.namespace, flags.address);
  const response = containerd.task.v2.DeleteResponse.encode({ pid, exitStatus: 128 + 9, exitedAt: timestamp(Date.now()) }).finish();
  process.stdout.write(response);
}

export function main(argv: string[], saveCodeCache?: SaveCodeCache): void {
  let flags: ShimFlags;
  try {
    flags = parseFlags(argv);
  } catch (e) {
    process.stderr.write(`containerd-shim-cista-v2: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const run = flags.action === 'delete' ? cleanup(flags) : flags.action === 'start' ? start(flags, saveCodeCache) : serve(flags, false, saveCodeCache);
  run.catch((e: Error) => {
    log(e.stack ?? e.message);
    process.stderr.write(`containerd-shim-cista-v2: ${e.message}\n`);
    process.exit(1);
  });
}

