import type { Host } from '../host/host';
import { attachConsole } from './console';
import { waitForExit } from './exit';

/** Signals a foreground `run` or `exec` passes on to its process, as runc does. */
const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGCONT'];

/**
 * Waits for a container process started in the foreground, forwarding our signals to it and, with
 * a terminal, proxying its pty; returns its exit status (128 + signal when killed).
 */
export async function waitInForeground(host: Pick<Host, 'fs' | 'proc' | 'addon'>, pid: number, consoleFd: number | null): Promise<number> {
  const forward = (signal: NodeJS.Signals) => host.proc.signal(pid, signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  const console = consoleFd === null ? undefined : attachConsole(host, consoleFd);
  const exit = await waitForExit(pid);
  await console?.drained();
  for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  return exit.code ?? 128 + (exit.signal ?? 0);
}
