import { native } from '../native';
import { attachConsole } from '../process/console';
import { type CreateOptions, createContainer } from './create';
import { deleteContainer } from './delete';
import { startContainer } from './start';

export interface RunOptions extends CreateOptions {
  detach?: boolean;
  keep?: boolean;
}

/** Signals a foreground `run` passes on to the container, as runc does. */
const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGCONT'];

/**
 * create + start; in the foreground, waits for the container's init, forwarding signals to it, and
 * returns its exit status (128 + signal when killed), then deletes it unless `keep`.
 */
export async function runContainer(options: RunOptions): Promise<number> {
  const created = createContainer({ ...options, attachConsole: !options.detach && options.consoleSocket === undefined });
  try {
    startContainer(options.root, options.id, options.warn);
  } catch (e) {
    deleteContainer(options.root, options.id, true, options.warn);
    throw e;
  }
  if (options.detach) return 0;

  const forward = (signal: NodeJS.Signals) => {
    try {
      process.kill(created.pid, signal);
    } catch {
      // Already gone: the wait below returns.
    }
  };
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  const console = created.consoleFd === null ? undefined : attachConsole(created.consoleFd);
  const exit = await native().waitPid(created.pid);
  await console?.drained();
  for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  if (!options.keep) deleteContainer(options.root, options.id, true, options.warn);
  return exit.code ?? 128 + (exit.signal ?? 0);
}
