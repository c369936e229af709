import { describeFailure } from './failure';
import { CliLog, type LogFormat } from './log';
import { writeStderr } from './output';

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

  /** A failure becomes one log line and exit code 1, never a stack trace (unless --debug and a bug). */
  fail(e: unknown): number {
    const { message, internal } = describeFailure(e);
    this.log.error(message);
    const stack = (e as Error | undefined)?.stack;
    if (internal && this.globals.debug && stack) writeStderr(`${stack}\n`);
    return 1;
  }
}
