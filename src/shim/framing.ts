/**
 * ttrpc's framing: each message is a 10-byte header (payload length and stream id, big-endian u32s; the
 * message type; flags) and its payload. Clients use odd stream ids; a response reuses its request's.
 */

export const HEADER_LENGTH = 10;
const MIB = 1 << 20;
/**
 * ttrpc's own limit (messageLengthMax in its channel.go); a longer message is refused (its payload
 * skipped) with RESOURCE_EXHAUSTED. Not cista's protocol limit (protocol/definition.js), though the
 * same size.
 */
export const MAX_MESSAGE_LENGTH = 4 * MIB;

export const MessageType = { request: 1, response: 2 } as const;

export interface Frame {
  streamId: number;
  type: number;
  flags: number;
  /** null when the message was longer than MAX_MESSAGE_LENGTH (its bytes were skipped). */
  payload: Buffer | null;
  /** The length the header announced. */
  length: number;
}

export function encodeFrame(streamId: number, type: number, payload: Uint8Array, flags = 0): Buffer {
  if (payload.length > MAX_MESSAGE_LENGTH) throw new RangeError(`ttrpc message of ${payload.length} bytes exceeds ${MAX_MESSAGE_LENGTH}`);
  const frame = Buffer.allocUnsafe(HEADER_LENGTH + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.writeUInt32BE(streamId, 4);
  frame.writeUInt8(type, 8);
  frame.writeUInt8(flags, 9);
  frame.set(payload, HEADER_LENGTH);
  return frame;
}

/** Splits a byte stream into frames, however the stream cuts it. */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);
  /** Bytes of an oversized payload still to drop. */
  private skipping = 0;

  push(chunk: Buffer): Frame[] {
    let data = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      if (this.skipping > 0) {
        const dropped = Math.min(this.skipping, data.length);
        this.skipping -= dropped;
        data = data.subarray(dropped);
        if (this.skipping > 0) break;
      }
      if (data.length < HEADER_LENGTH) break;
      const length = data.readUInt32BE(0);
      const header = { streamId: data.readUInt32BE(4), type: data.readUInt8(8), flags: data.readUInt8(9), length };
      if (length > MAX_MESSAGE_LENGTH) {
        frames.push({ ...header, payload: null });
        this.skipping = length;
        data = data.subarray(HEADER_LENGTH);
        continue;
      }
      if (data.length < HEADER_LENGTH + length) break;
      frames.push({ ...header, payload: Buffer.from(data.subarray(HEADER_LENGTH, HEADER_LENGTH + length)) });
      data = data.subarray(HEADER_LENGTH + length);
    }
    this.buffered = Buffer.from(data);
    return frames;
  }
}
