import * as fs from 'node:fs';
import * as path from 'node:path';

import { FifoAnswer } from '../../generated/protocol';
import { CistaError } from '../errors';
import { type Warn, hookState, runHooksWarning } from '../hooks/run';
import { isAlive } from '../state/process';
import { type ContainerRecord, EXEC_FIFO } from '../state/store';
import { sleepSync } from '../sleep';
import { withContainer } from './lookup';

const O_NONBLOCK = fs.constants.O_NONBLOCK;
const STARTED = FifoAnswer.Started.charCodeAt(0);
const REFUSED = FifoAnswer.Refused.charCodeAt(0);

/**
 * Waits on the exec fifo for the init's answer (native/init/process.cc): FifoAnswer.Started once the
 * startContainer hooks passed, then end of file when its close-on-exec write end goes with the exec
 * of the process; or FifoAnswer.Refused + why it will not start. Non-blocking, so that an init that died meanwhile cannot hang us.
 */
function awaitExec(fifo: string, record: ContainerRecord): void {
  const fd = fs.openSync(fifo, fs.constants.O_RDONLY | O_NONBLOCK);
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(4096);
  /** Reads what the init has written so far; true at end of file. */
  const drain = (): boolean => {
    for (;;) {
      let n: number;
      try {
        n = fs.readSync(fd, buffer, 0, buffer.length, null);
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
      if (!(ended && answer.length > 0) && !isAlive(record.init)) {
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
      sleepSync(1);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Releases a created container: opening the exec fifo lets its init run the startContainer hooks and
 * exec the process; the poststart hooks run once it has, outside the lock (a hook may ask for the
 * container's state). A failing poststart hook is a warning: the container keeps running.
 */
export function startContainer(root: string, id: string, warn: Warn = () => {}): void {
  const record = withContainer(root, id, true, ({ dir, record, status }) => {
    if (status === 'running') throw new CistaError('cannot start an already running container');
    if (status === 'stopped') throw new CistaError('cannot start a container that has stopped');
    if (status !== 'created') throw new CistaError(`cannot start a container in the ${status} state`);
    const fifo = path.join(dir, EXEC_FIFO);
    awaitExec(fifo, record);
    fs.unlinkSync(fifo);
    return record;
  });
  const poststart = record.hooks?.poststart ?? [];
  if (poststart.length > 0) runHooksWarning('poststart', poststart, hookState(record, 'running', record.init.pid), warn);
}
