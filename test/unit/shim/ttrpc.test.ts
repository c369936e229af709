import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { ttrpc } from '../../../src/generated/containerd';
import { FrameDecoder, HEADER_LENGTH, MAX_MESSAGE_LENGTH, MessageType, encodeFrame } from '../../../src/shim/framing';
import { Code, StatusError } from '../../../src/shim/status';
import { TtrpcCallError, TtrpcClient, TtrpcServer } from '../../../src/shim/ttrpc';

describe('ttrpc framing', () => {
  it('writes the 10-byte header big-endian: length, stream id, type, flags', () => {
    const frame = encodeFrame(0x01020304, MessageType.response, Buffer.from('abc'), 0x7);
    expect([...frame.subarray(0, HEADER_LENGTH)]).toEqual([0, 0, 0, 3, 1, 2, 3, 4, 2, 7]);
    expect(frame.subarray(HEADER_LENGTH).toString()).toBe('abc');
  });

  it('splits a stream into frames however it is cut, one byte at a time included', () => {
    const stream = Buffer.concat([encodeFrame(1, 1, Buffer.from('first')), encodeFrame(3, 1, Buffer.alloc(0)), encodeFrame(5, 2, Buffer.from('x'))]);
    const decoder = new FrameDecoder();
    const frames = [...stream].flatMap((byte) => decoder.push(Buffer.from([byte])));
    expect(frames.map((f) => [f.streamId, f.type, f.payload?.toString()])).toEqual([
      [1, 1, 'first'],
      [3, 1, ''],
      [5, 2, 'x'],
    ]);
  });

  it('skips a message over the 4 MiB limit and reports it without its payload', () => {
    const header = Buffer.alloc(HEADER_LENGTH);
    header.writeUInt32BE(MAX_MESSAGE_LENGTH + 1, 0);
    header.writeUInt32BE(7, 4);
    header.writeUInt8(1, 8);
    const decoder = new FrameDecoder();
    expect(decoder.push(header)).toEqual([{ streamId: 7, type: 1, flags: 0, length: MAX_MESSAGE_LENGTH + 1, payload: null }]);
    expect(decoder.push(Buffer.alloc(MAX_MESSAGE_LENGTH + 1))).toEqual([]);
    expect(decoder.push(encodeFrame(9, 1, Buffer.from('next'))).map((f) => f.payload?.toString())).toEqual(['next']);
    expect(() => encodeFrame(1, 1, Buffer.alloc(MAX_MESSAGE_LENGTH + 1))).toThrow(RangeError);
  });
});

describe('ttrpc server and client', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function serve(): Promise<{ server: TtrpcServer; socket: string }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ttrpc-'));
    dirs.push(dir);
    const socket = path.join(dir, 's');
    const server = new TtrpcServer();
    server.register('test.Echo', {
      Echo: async (payload) => payload,
      Slow: async (payload) => {
        await new Promise((r) => setTimeout(r, 50));
        return payload;
      },
      Missing: async () => {
        throw new StatusError(Code.NOT_FOUND, 'no such thing');
      },
    });
    await server.listen(socket);
    return { server, socket };
  }

  it('answers calls on their streams, concurrently, out of order', async () => {
    const { server, socket } = await serve();
    const client = await TtrpcClient.connect(socket);
    try {
      const slow = client.call('test.Echo', 'Slow', Buffer.from('slow'));
      const fast = client.call('test.Echo', 'Echo', Buffer.from('fast'));
      expect(Buffer.from(await fast).toString()).toBe('fast');
      expect(Buffer.from(await slow).toString()).toBe('slow');
    } finally {
      client.close();
      server.close();
    }
  });

  it('carries errors as gRPC status codes; unknown methods are UNIMPLEMENTED', async () => {
    const { server, socket } = await serve();
    const client = await TtrpcClient.connect(socket);
    try {
      await expect(client.call('test.Echo', 'Missing', Buffer.alloc(0))).rejects.toMatchObject({ code: Code.NOT_FOUND, message: 'no such thing' });
      const unknown = await client.call('test.Echo', 'Nope', Buffer.alloc(0)).catch((e: TtrpcCallError) => e);
      expect(unknown).toBeInstanceOf(TtrpcCallError);
      expect((unknown as TtrpcCallError).code).toBe(Code.UNIMPLEMENTED);
    } finally {
      client.close();
      server.close();
    }
  });

  it('fails calls on a connection the server closed, never leaves them waiting (a long-lived shim whose containerd restarted)', async () => {
    const { server, socket } = await serve();
    const client = await TtrpcClient.connect(socket);
    server.close();
    // The first write finds the connection closing (EPIPE), the next one closed: neither waits for an answer.
    await expect(client.call('test.Echo', 'Slow', Buffer.from('x'))).rejects.toThrow();
    await expect(client.call('test.Echo', 'Echo', Buffer.from('x'))).rejects.toThrow('ttrpc: connection closed');
  });

  it('refuses even stream ids as ttrpc does (client streams are odd)', async () => {
    const { server, socket } = await serve();
    const raw = net.createConnection(socket);
    try {
      const request = ttrpc.Request.encode({ service: 'test.Echo', method: 'Echo', payload: Buffer.from('x') }).finish();
      raw.write(encodeFrame(2, MessageType.request, request));
      const [frame] = await new Promise<ReturnType<FrameDecoder['push']>>((resolve) => {
        const decoder = new FrameDecoder();
        raw.on('data', (chunk: Buffer) => {
          const frames = decoder.push(chunk);
          if (frames.length > 0) resolve(frames);
        });
      });
      expect(frame.streamId).toBe(2);
      expect(frame.type).toBe(MessageType.response);
      expect(ttrpc.Response.decode(frame.payload!).status?.code).toBe(Code.INVALID_ARGUMENT);
    } finally {
      raw.destroy();
      server.close();
    }
  });
});
