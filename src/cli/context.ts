import { CistaError } from '../engine/errors';
import { CliLog, type LogFormat } from './log';

export interface GlobalOptions {
  root: string;
  log?: string;
  logFormat: LogFormat;
  debug: boolean;
  systemdCgroup: boolean;
}

/** What every subcommand gets: the parsed global options and the log, opened first. */
export class CliContext {
  readonly log: CliLog;

  constructor(readonly globals: GlobalOptions) {
    this.log = new CliLog(globals.log, globals.logFormat, globals.debug);
  }

  /** A user error becomes one log line and exit code 1, never a stack trace (unless --debug). */
  fail(e: unknown): number {
    const error = e as Error;
    const known = e instanceof CistaError;
    this.log.error(known ? error.message : `internal error: ${error?.message ?? String(e)}`);
    if (!known && this.globals.debug && error?.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
