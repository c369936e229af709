import type { Host } from '../host/host';
import { realHost } from '../host/real';
import { waitInForeground } from '../process/foreground';
import { type CreateOptions, createContainer } from './create';
import { deleteContainer } from './delete';
import { startContainer } from './start';

export interface RunOptions extends CreateOptions {
  detach?: boolean;
  keep?: boolean;
}

/**
 * create + start; in the foreground, waits for the container's init, forwarding signals to it, and
 * returns its exit status (128 + signal when killed), then deletes it unless `keep`.
 */
export async function runContainer(options: RunOptions, host: Host = realHost): Promise<number> {
  const created = createContainer({ ...options, attachConsole: !options.detach && options.consoleSocket === undefined }, host);
  try {
    startContainer(options.root, options.id, options.warn, host);
  } catch (e) {
    deleteContainer(options.root, options.id, true, options.warn, host);
    throw e;
  }
  if (options.detach) return 0;
  const code = await waitInForeground(host, created.pid, created.consoleFd);
  if (!options.keep) deleteContainer(options.root, options.id, true, options.warn, host);
  return code;
}
