/**
 * The capabilities missing from the bounding set cista runs with: no process it starts can have
 * them. `cista check` reports them; create refuses a config that asks for one, by JSON path, instead
 * of failing in the init.
 */
import * as fs from 'node:fs';

import { ConfigError } from '../errors';
import { jsonPointer } from '../spec/json-pointer';
import type { Process } from '../spec/schema';
import { CAPABILITIES } from '../spec/vocabulary';

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Capabilities this kernel has (cap_last_cap) that the CapBnd line of /proc/self/status lacks. */
export function missingFromBoundingSet(): string[] {
  const bounding = BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)$/m.exec(readText('/proc/self/status'))?.[1] ?? '0'}`);
  const last = Number(readText('/proc/sys/kernel/cap_last_cap').trim() || CAPABILITIES.length - 1);
  return CAPABILITIES.filter((_, bit) => bit <= last && (bounding & (1n << BigInt(bit))) === 0n);
}

/** Throws for the first capability of process.capabilities that the bounding set lacks. */
export function refuseCapabilitiesOutsideBoundingSet(process: Process | undefined): void {
  const capabilities = process?.capabilities;
  if (capabilities === undefined) return;
  const missing = new Set(missingFromBoundingSet());
  if (missing.size === 0) return;
  for (const [set, names] of Object.entries(capabilities)) {
    const index = (names as string[] | undefined)?.findIndex((name) => missing.has(name)) ?? -1;
    if (index >= 0) {
      const name = (names as string[])[index];
      throw new ConfigError(
        `/process/capabilities${jsonPointer(set)}/${index}`,
        `${name} is not in the capability bounding set cista runs with, so no container here can have it (see cista check)`,
      );
    }
  }
}
