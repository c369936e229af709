import * as net from 'node:net';

import { ttrpc } from '../generated/containerd';
import { FrameDecoder, MessageType, encodeFrame } from './framing';
import { Code, statusOf } from './status';

/** One method: the request's payload in, the response's payload out (or a thrown error: its status). */
export type Handler = (payload: Uint8Array) => Promise<Uint8Array>;

/**
 * A ttrpc server: unary calls from "service/method" to handlers, each answered on its stream as it
 * completes (calls on one connection run concurrently, as ttrpc's Go server runs them).
 */
export class TtrpcServer {
  private readonly handlers = new Map<string, Handler>();
  private readonly connections = new Set<net.Socket>();
  readonly server = net.createServer((socket) => this.serve(socket));

  /** trace: each call and its outcome, for -debug. */
  constructor(private readonly trace?: (message: string) => void) {}

  register(service: string, methods: Record<string, Handler>): void {
    for (const [method, handler] of Object.entries(methods)) this.handlers.set(`${service}/${method}`, handler);
  }

  /** Serves on an already listening socket (the fd the bootstrap passed) or a path. */
  listen(handle: { fd: number } | string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(handle, () => resolve());
    });
  }

  close(): void {
    this.server.close();
    for (const socket of this.connections) socket.destroy();
  }

  private serve(socket: net.Socket): void {
    this.connections.add(socket);
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.type !== MessageType.request) continue;
        const reply = (response: ttrpc.IResponse): void => {
          if (!socket.destroyed) socket.write(encodeFrame(frame.streamId, MessageType.response, ttrpc.Response.encode(response).finish()));
        };
        if (frame.payload === null) {
          reply({ status: { code: Code.RESOURCE_EXHAUSTED, message: `message length ${frame.length} exceeds the maximum` } });
        } else if (frame.streamId % 2 === 0) {
          reply({ status: { code: Code.INVALID_ARGUMENT, message: 'StreamID must be odd for client initiated streams' } });
        } else {
          void this.call(frame.payload).then(reply);
        }
      }
    });
  }

  private async call(bytes: Buffer): Promise<ttrpc.IResponse> {
    let request: ttrpc.Request;
    try {
      request = ttrpc.Request.decode(bytes);
    } catch (e) {
      return { status: { code: Code.INVALID_ARGUMENT, message: `unmarshal request error: ${(e as Error).message}` } };
    }
    const handler = this.handlers.get(`${request.service}/${request.method}`);
    if (handler === undefined) {
      return { status: { code: Code.UNIMPLEMENTED, message: `${request.service}/${request.method}: not implemented` } };
    }
    // process.hrtime, not performance.now: the first use of `performance` loads perf_hooks, a few ms
    // of the first call in a fresh shim.
    const started = process.hrtime.bigint();
    try {
      const payload = await handler(request.payload);
      this.trace?.(`${request.method}: ok (${(Number(process.hrtime.bigint() - started) / 1e6).toFixed(1)} ms)`);
      return { status: { code: Code.OK }, payload };
    } catch (e) {
      const status = statusOf(e);
      this.trace?.(`${request.method}: ${status.code} ${status.message}`);
      return { status };
    }
  }
}

/** A failed call: the status the server answered. */
export class TtrpcCallError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A ttrpc client on one connection: unary calls, matched to responses by stream id. */
export class TtrpcClient {
  private nextStream = 1;
  private readonly pending = new Map<number, { resolve: (payload: Uint8Array) => void; reject: (error: Error) => void }>();
  private readonly decoder = new FrameDecoder();

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) this.settle(frame.streamId, frame.payload);
    });
    socket.on('close', () => this.failAll(new Error('ttrpc: connection closed')));
    socket.on('error', (e) => this.failAll(e));
  }

  static connect(path: string): Promise<TtrpcClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(path);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new TtrpcClient(socket));
      });
    });
  }

  call(service: string, method: string, payload: Uint8Array, metadata: Record<string, string> = {}): Promise<Uint8Array> {
    const streamId = this.nextStream;
    this.nextStream += 2;
    const request = ttrpc.Request.encode({
      service,
      method,
      payload,
      metadata: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    }).finish();
    return new Promise((resolve, reject) => {
      this.pending.set(streamId, { resolve, reject });
      this.socket.write(encodeFrame(streamId, MessageType.request, request));
    });
  }

  /** Whether calls keep the process alive (a publisher's idle connection should not). */
  ref(keepAlive: boolean): void {
    if (keepAlive) this.socket.ref();
    else this.socket.unref();
  }

  close(): void {
    this.socket.end();
  }

  private settle(streamId: number, payload: Buffer | null): void {
    const call = this.pending.get(streamId);
    if (call === undefined) return;
    this.pending.delete(streamId);
    if (payload === null) return call.reject(new TtrpcCallError(Code.RESOURCE_EXHAUSTED, 'response exceeds the maximum message length'));
    const response = ttrpc.Response.decode(payload);
    const code = response.status?.code ?? Code.OK;
    if (code !== Code.OK) call.reject(new TtrpcCallError(code, response.status?.message ?? ''));
    else call.resolve(response.payload);
  }

  private failAll(error: Error): void {
    for (const call of this.pending.values()) call.reject(error);
    this.pending.clear();
  }
}
