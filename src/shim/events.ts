import { containerd, google } from '../generated/containerd';
import { TtrpcClient } from './ttrpc';

const events = containerd.events;

/** The task events the shim sends, by topic: containerd's type for each. */
export const Topics = {
  '/tasks/create': events.TaskCreate,
  '/tasks/start': events.TaskStart,
  '/tasks/exit': events.TaskExit,
  '/tasks/delete': events.TaskDelete,
  '/tasks/exec-added': events.TaskExecAdded,
  '/tasks/exec-started': events.TaskExecStarted,
  '/tasks/paused': events.TaskPaused,
  '/tasks/resumed': events.TaskResumed,
  '/tasks/oom': events.TaskOOM,
} as const;
export type Topic = keyof typeof Topics;
type EventOf<T extends Topic> = Parameters<(typeof Topics)[T]['encode']>[0];

export function timestamp(ms: number): google.protobuf.ITimestamp {
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 };
}

/**
 * Sends events to containerd as its own shims do: the Events service's Forward over ttrpc, at the
 * TTRPC_ADDRESS containerd gives the shim. In order, one at a time, each tried again once on a new
 * connection; a failure is logged, not fatal (containerd's Wait and State still answer).
 */
export class Publisher {
  private client: Promise<TtrpcClient> | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly address: string,
    private readonly namespace: string,
    private readonly log: (message: string) => void,
  ) {}

  publish<T extends Topic>(topic: T, event: EventOf<T>): void {
    const type = Topics[topic];
    const value = (type.encode as (e: EventOf<T>) => { finish(): Uint8Array })(event).finish();
    const envelope = {
      timestamp: timestamp(Date.now()),
      namespace: this.namespace,
      topic,
      // containerd names event types by their proto name alone (no URL prefix).
      event: { type_url: type.getTypeUrl('').slice(1), value },
    };
    const request = containerd.services.events.ttrpc.v1.ForwardRequest.encode({ envelope }).finish();
    this.queue = this.queue.then(async () => {
      // Twice at most: a long-lived shim's connection may be one containerd closed (it restarted).
      for (let attempt = 1; attempt <= 2; attempt++) {
        try {
          const client = await this.connect();
          client.ref(true);
          await client.call('containerd.services.events.ttrpc.v1.Events', 'Forward', request);
          client.ref(false);
          return;
        } catch (e) {
          this.client = undefined;
          if (attempt === 2) this.log(`publishing ${topic}: ${(e as Error).message}`);
        }
      }
    });
  }

  /** Resolves once every event so far is sent (or failed). */
  flushed(): Promise<void> {
    return this.queue;
  }

  private connect(): Promise<TtrpcClient> {
    this.client ??= TtrpcClient.connect(this.address.replace(/^unix:\/\//, ''));
    return this.client;
  }
}
