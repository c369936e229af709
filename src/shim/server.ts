/**
 * The shim server: containerd's Task service over ttrpc, running the engine in this process. `start`
 * runs it (bin/containerd-shim-cista-v2 starts it in the background and relays the address it prints),
 * or finds the live one of the container's group; `delete` is containerd's cleanup after a shim died.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { Runtime } from '../api/runtime';
import { native } from '../engine/native';
import { containerd } from '../generated/containerd';
import { Publisher, timestamp } from './events';
import { type ShimFlags, parseFlags, stateRoot } from './flags';
import { groupSocket } from './group';
import { reapOrphans } from './reaper';
import { TASK_SERVICE, TaskService } from './service';
import { TtrpcServer } from './ttrpc';

const FLUSH_TIMEOUT_MS = 2000;

function log(message: string): void {
  process.stderr.write(`${new Date().toISOString()} cista shim ${process.pid}: ${message}\n`);
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

async function start(flags: ShimFlags): Promise<void> {
  const { socket, serving } = await groupSocket(flags);
  if (serving) {
    answer(flags, `unix://${socket}`);
    return;
  }
  await serve({ ...flags, socket });
  fs.writeFileSync(path.join(flags.bundle, 'shim.pid'), String(process.pid));
  answer(flags, `unix://${socket}`);
}

async function serve(flags: ShimFlags): Promise<void> {
  // Orphaned descendants become ours (reaped by reapOrphans), as with containerd's own shims.
  native().setChildSubreaper();
  const runtime = new Runtime({ root: stateRoot(flags.namespace), onWarning: log });
  const publisher = new Publisher(process.env.TTRPC_ADDRESS ?? `${flags.address}.ttrpc`, flags.namespace, log);
  const server = new TtrpcServer(flags.debug ? log : undefined);
  const shutdown = (): void => {
    server.close();
    fs.rmSync(flags.socket, { force: true });
    // Events still queued get a moment to reach containerd (which may be gone).
    const timeout = new Promise((resolve) => setTimeout(resolve, FLUSH_TIMEOUT_MS));
    void Promise.race([publisher.flushed(), timeout]).then(() => process.exit(0));
  };
  server.register(TASK_SERVICE, new TaskService(runtime, publisher, shutdown, flags.namespace).handlers());
  await server.listen(flags.socket);
  reapOrphans();
  process.on('SIGTERM', shutdown);
  process.on('SIGPIPE', () => {});
  if (flags.debug) log(`serving ${(process.uptime() * 1000).toFixed(0)} ms after the process started`);
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
  // The dead shim's socket, as runc's shim removes it.
  try {
    fs.rmSync(fs.readFileSync(path.join(flags.bundle, 'address'), 'utf8').replace(/^unix:\/\//, ''), { force: true });
  } catch {
    // No address file: the shim never answered start.
  }
  const response = containerd.task.v2.DeleteResponse.encode({ pid, exitStatus: 128 + 9, exitedAt: timestamp(Date.now()) }).finish();
  process.stdout.write(response);
}

function main(argv: string[]): void {
  let flags: ShimFlags;
  try {
    flags = parseFlags(argv);
  } catch (e) {
    process.stderr.write(`containerd-shim-cista-v2: ${(e as Error).message}\n`);
    process.exit(1);
  }
  const run = flags.action === 'delete' ? cleanup(flags) : flags.action === 'start' ? start(flags) : serve(flags);
  run.catch((e: Error) => {
    log(e.stack ?? e.message);
    process.stderr.write(`containerd-shim-cista-v2: ${e.message}\n`);
    process.exit(1);
  });
}

if (require.main === module) main(process.argv.slice(2));
