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

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go duration as runc's --interval takes it ("5s", "500ms", "1m30s") -> milliseconds, > 0. */
export function parseDuration(flagName: string, text: string): number {
  // \u00b5 for µ: esbuild escapes it in strings but not in a regex, and one such character makes
  // the whole CLI bundle a two-byte string for V8 (slightly slower to load).
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|\u00b5s|ms|s|m|h)/g)];
  const ms = parts.reduce((sum, [, value, unit]) => sum + Number(value) * DURATION_UNITS_MS[unit], 0);
  if (parts.map((p) => p[0]).join('') !== text || !(ms >= 1)) {
    throw new CistaError(`--${flagName}: "${text}" is not a duration of 1ms or more: write it as 5s, 500ms or 1m30s`);
  }
  return Math.round(ms);
}
