import { CistaError } from '../engine/errors';

/** Binary multipliers of runc's sizes (docker/go-units RAMInBytes): k, m, g, t, p, any case. */
const MULTIPLIERS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** "128M", "1.5g", "64kib", "512 MB", "1048576" -> bytes, as runc parses its memory flags; "-1" is unlimited. */
export function parseByteSize(flagName: string, text: string): number {
  if (text === '-1') return -1;
  const match = /^(\d+(?:\.\d+)?) ?([kmgtp])?(?:i?b)?$/i.exec(text);
  if (match === null) throw new CistaError(`--${flagName}: "${text}" is not a size: use bytes or a number with k, m, g, t or p (as 128M or 1.5g), or -1 for unlimited`);
  const bytes = Math.floor(Number(match[1]) * MULTIPLIERS[(match[2] ?? '').toLowerCase()]);
  if (!Number.isSafeInteger(bytes)) throw new CistaError(`--${flagName}: "${text}" is too large`);
  return bytes;
}

/** An integer flag (runc's cpu and pids flags). */
export function parseInteger(flagName: string, text: string): number {
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new CistaError(`--${flagName}: "${text}" is not an integer`);
  return Number(text);
}
