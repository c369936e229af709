import * as fs from 'node:fs';
import * as path from 'node:path';

import { CistaError } from '../errors';
import { isAlive } from '../state/process';
import { EXEC_FIFO } from '../state/store';
import { sleepSync } from '../sleep';
import { withContainer } from './lookup';

const O_NONBLOCK = fs.constants.O_NONBLOCK;

/** Releases a created container: reading the exec fifo lets its init exec the process. */
export function startContainer(root: string, id: string): void {
  withContainer(root, id, true, ({ dir, record, status }) => {
    if (status === 'running') throw new CistaError('cannot start an already running container');
    if (status === 'stopped') throw new CistaError('cannot start a container that has stopped');
    if (status !== 'created') throw new CistaError(`cannot start a container in the ${status} state`);
    if (!record.hasProcess) throw new CistaError('cannot start a container without a process (config.json has no /process)');
    const fifo = path.join(dir, EXEC_FIFO);
    // Non-blocking, so that an init that died meanwhile cannot hang us: poll for its byte instead.
    const fd = fs.openSync(fifo, fs.constants.O_RDONLY | O_NONBLOCK);
    try {
      const byte = Buffer.alloc(1);
      for (;;) {
        try {
          if (fs.readSync(fd, byte, 0, 1, null) === 1) break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
        }
        if (!isAlive(record.init)) throw new CistaError('cannot start a container that has stopped');
        sleepSync(1);
      }
    } finally {
      fs.closeSync(fd);
    }
    fs.unlinkSync(fifo);
  });
}
