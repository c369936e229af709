import * as fs from 'node:fs';

import { CistaError, errnoText } from '../engine/errors';
import { writeStderr } from './output';

export type LogFormat = 'text' | 'json';

/**
 * runc's log: with --log, one line per event in that file (logrus text, or JSON lines with level, msg
 * and time); clients read the last error line from it. The file is created before anything else
 * can fail, because containerd reports a missing log file instead of the real error.
 */
/** Callers read the first line of stderr (containerd, podman): a message with line breaks in it stays one line. */
function oneLine(msg: string): string {
  return msg.replace(/\r?\n/g, '\\n');
}

export class CliLog {
  private fd: number | undefined;

  constructor(
    file: string | undefined,
    private readonly format: LogFormat,
    private readonly debugEnabled: boolean,
  ) {
    if (file === undefined || file === '') return;
    try {
      this.fd = fs.openSync(file, 'a', 0o644);
    } catch (e) {
      throw new CistaError(`--log ${file}: cannot open it: ${errnoText(e)}`);
    }
  }

  debug(msg: string): void {
    if (this.debugEnabled) this.write('debug', msg);
  }

  /** A failure that does not fail the command (a poststart or poststop hook): logged like an error. */
  warn(msg: string): void {
    this.write('warning', msg);
    writeStderr(`cista: warning: ${oneLine(msg)}\n`);
  }

  /** One line to the log file (if any) and one readable line on stderr. */
  error(msg: string): void {
    this.write('error', msg);
    writeStderr(`cista: ${oneLine(msg)}\n`);
  }

  private write(level: string, msg: string): void {
    if (this.fd === undefined) return;
    const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const line =
      this.format === 'json' ? JSON.stringify({ level, msg, time }) : `time="${time}" level=${level} msg=${JSON.stringify(msg)}`;
    fs.writeSync(this.fd, `${line}\n`);
  }
}
