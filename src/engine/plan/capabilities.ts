import { CAPABILITIES } from '../spec/vocabulary';

const NUMBER_OF = new Map<string, number>(CAPABILITIES.map((name, index) => [name, index]));

/** The bit mask of a list of capability names (already validated: CAPABILITIES' index is the number). */
export function capabilityMask(names: readonly string[] | undefined): bigint {
  let mask = 0n;
  for (const name of names ?? []) {
    const number = NUMBER_OF.get(name);
    if (number === undefined) throw new Error(`unknown capability ${name}`);
    mask |= 1n << BigInt(number);
  }
  return mask;
}
