import type { Command } from 'commander';

import { CliLog, type LogFormat } from './log';

export interface GlobalOptions {
  root: string;
  log?: string;
  logFormat: LogFormat;
  debug: boolean;
  systemdCgroup: boolean;
}

/** What every subcommand gets: the parsed global options and the log, opened on first use. */
export class CliContext {
  private openedLog: CliLog | undefined;

  constructor(private readonly program: Command) {}

  get globals(): GlobalOptions {
    return this.program.opts<GlobalOptions>();
  }

  get log(): CliLog {
    const g = this.globals;
    this.openedLog ??= new CliLog(g.log, g.logFormat, g.debug);
    return this.openedLog;
  }

  /**
   * Runs a subcommand's body: a user error becomes one log line and exit code 1, never a stack
   * trace; the body's number, if any, is the exit code.
   */
  async run(body: () => Promise<number | void> | number | void): Promise<void> {
    try {
      this.log;
      const code = await body();
      process.exitCode = code ?? 0;
    } catch (e) {
      this.fail(e);
    }
  }

  fail(e: unknown): void {
    const error = e as Error;
    const known = error?.name === 'CistaError' || error?.name === 'ConfigError';
    try {
      this.log.error(known ? error.message : `internal error: ${error?.message ?? String(e)}`);
    } catch (logError) {
      process.stderr.write(`cista: ${error?.message ?? String(e)} (and the log failed: ${(logError as Error).message})\n`);
    }
    if (!known && this.globals.debug && error?.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  }
}
