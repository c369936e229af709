import { native } from '../native';

/**
 * Resolves once `fd` is readable, from the event loop (no thread, no blocking). `keepAlive` false: the
 * wait alone does not keep Node running. An aborted `signal` rejects with its reason.
 */
export function whenReadable(fd: number, options: { keepAlive?: boolean; signal?: AbortSignal } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    options.signal?.throwIfAborted();
    const onAbort = () => {
      native().cancelWatch(id);
      reject(options.signal!.reason);
    };
    const id = native().watchReadable(
      fd,
      (error) => {
        options.signal?.removeEventListener('abort', onAbort);
        if (error === null) resolve();
        else reject(error);
      },
      options.keepAlive !== false,
    );
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
