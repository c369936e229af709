import * as fs from 'node:fs';
import * as path from 'node:path';

import { FifoAnswer } from '../../generated/protocol';
import { CistaError, ContainerStateError } from '../errors';
import { type Warn, hookState, runHooksWarning } from '../hooks/run';
import { type Effect, runSync } from '../host/effect';
import type { LookupHost } from '../host/host';
import { realLookupHost } from '../host/real-lookup';
import { isAlive } from '../state/status';
import { type ContainerRecord, EXEC_FIFO } from '../state/store';
import { withContainer } from './lookup';

const { O_NONBLOCK, O_RDONLY } = fs.constants;
const STARTED = FifoAnswer.Started.charCodeAt(0);
const REFUSED = FifoAnswer.Refused.charCodeAt(0);
/** How often the blocking host looks at the fifo. */
const FIFO_POLL_MS = 1;

/**
 * Waits on the exec fifo for the init's answer (native/init/process.cc): FifoAnswer.Started once the
 * startContainer hooks passed, then end of file when its close-on-exec write end goes with the exec
 * of the process; or FifoAnswer.Refused + why it will not start. Non-blocking, so that an init that died meanwhile cannot hang us:
 * between looks the host's waits idle until the fifo is readable or the init has exited.
 */
function* awaitExec(host: LookupHost, fifo: string, record: ContainerRecord): Effect<void> {
  const fd = host.fs.open(fifo, O_RDONLY | O_NONBLOCK);
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(4096);
  /** Reads what the init has written so far; true at end of file. */
  const drain = (): boolean => {
    for (;;) {
      let n: number;
      try {
        n = host.fs.read(fd, buffer);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return false;
        throw e;
      }
      if (n === 0) return true;
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
  };
  try {
    for (;;) {
      const ended = drain();
      // End of file counts once something was read: before the init opens its end there is none.
      let answer = Buffer.concat(chunks);
      if (!(ended && answer.length > 0) && !isAlive(host.proc, record.init)) {
        // It may have answered, exec'd and exited since the read above: what it wrote is still here.
        drain();
        answer = Buffer.concat(chunks);
        if (answer.length > 0 && answer[0] === STARTED) return;
        throw new CistaError(answer.length > 1 && answer[0] === REFUSED ? answer.toString('utf8', 1) : 'cannot start a container that has stopped');
      }
      if (ended && answer.length > 0) {
        if (answer[0] === STARTED) return;
        throw new CistaError(answer.toString('utf8', 1));
      }
      yield* host.waits.idle(FIFO_POLL_MS, { fd, pid: record.init.pid });
    }
  } finally {
    host.fs.close(fd);
  }
}

/**
 * Releases a created container: opening the exec fifo lets its init run the startContainer hooks and
 * exec the process; the poststart hooks run once it has, outside the lock (a hook may ask for the
 * container's state). A failing poststart hook is a warning: the container keeps running.
 */
export function* startSteps(root: string, id: string, warn: Warn, host: LookupHost): Effect<void> {
  const record = yield* withContainer(host, root, id, true, function* ({ dir, record, status }) {
    if (status === 'running') throw new ContainerStateError('cannot start an already running container', status);
    if (status === 'stopped') throw new ContainerStateError('cannot start a container that has stopped', status);
    if (status !== 'created') throw new ContainerStateError(`cannot start a container in the ${status} state`, status);
    const fifo = path.join(dir, EXEC_FIFO);
    yield* awaitExec(host, fifo, record);
    host.fs.unlink(fifo);
    return record;
  });
  const poststart = record.hooks?.poststart ?? [];
  if (poststart.length > 0) yield* runHooksWarning(host.waits, 'poststart', poststart, hookState(record, 'running', record.init.pid), warn);
}

export function startContainer(root: string, id: string, warn: Warn = () => {}, host: LookupHost = realLookupHost): void {
  runSync(startSteps(root, id, warn, host));
}
