/**
 * Device access rules: their cgroup v1 string form, runc's default allow list, the resolution
 * of an ordered rule list into what the kernel's v1 devices controller ends up with, and how a
 * driver applies them.
 */
import { CistaError } from '../errors';

export interface DeviceRule {
  allow: boolean;
  type: 'a' | 'c' | 'b';
  /** null: wildcard. */
  major: number | null;
  /** null: wildcard. */
  minor: number | null;
  /** A subset of "rwm". */
  access: string;
}

/** The state of a v1 devices cgroup: a default and exceptions to it (allowed if default deny, denied if default allow). */
export interface DeviceRuleSet {
  defaultAllow: boolean;
  /** Never of type "a"; access in canonical "rwm" order, never empty. */
  exceptions: DeviceRule[];
}

const ACCESS_ORDER = 'rwm';

function normaliseAccess(access: string): string {
  for (const char of access) {
    if (!ACCESS_ORDER.includes(char)) throw new CistaError(`device rule access ${JSON.stringify(access)} is not a subset of "rwm"`);
  }
  return [...ACCESS_ORDER].filter((char) => access.includes(char)).join('');
}

function wildcard(value: number | null): string {
  return value === null ? '*' : String(value);
}

/** "c 1:3 rwm", "a *:* rwm", "b *:* m": the line written to devices.allow / devices.deny. */
export function deviceRuleString(rule: DeviceRule): string {
  return `${rule.type} ${wildcard(rule.major)}:${wildcard(rule.minor)} ${normaliseAccess(rule.access)}`;
}

function rule(type: 'c' | 'b', major: number | null, minor: number | null, access: string): DeviceRule {
  return { allow: true, type, major, minor, access };
}

/** runc 1.1's specconv.AllowedDevices, in its order (no /dev/console: runc dropped it; the console is bind-mounted). */
export function defaultAllowedDevices(): DeviceRule[] {
  return [
    rule('c', null, null, 'm'),
    rule('b', null, null, 'm'),
    rule('c', 1, 3, 'rwm'), // null
    rule('c', 1, 8, 'rwm'), // random
    rule('c', 1, 7, 'rwm'), // full
    rule('c', 5, 0, 'rwm'), // tty
    rule('c', 1, 5, 'rwm'), // zero
    rule('c', 1, 9, 'rwm'), // urandom
    rule('c', 136, null, 'rwm'), // pts
    rule('c', 5, 2, 'rwm'), // ptmx
    rule('c', 10, 200, 'rwm'), // tun
  ];
}

function sameDevice(a: DeviceRule, b: { type: string; major: number | null; minor: number | null }): boolean {
  return a.type === b.type && a.major === b.major && a.minor === b.minor;
}

/**
 * Applies rules in order to a cgroup that starts denying everything, with the kernel's v1 semantics
 * (as runc's devices emulator does): an "a" rule resets to allow-all or deny-all; a rule in the
 * default's direction removes access from an exception for exactly that device; one against it adds
 * an exception. Removing access that a wildcard exception grants is refused, as runc does, since
 * the kernel would silently ignore it.
 */
export function resolveDeviceRules(rules: DeviceRule[]): DeviceRuleSet {
  let defaultAllow = false;
  let exceptions: DeviceRule[] = [];
  for (const input of rules) {
    const access = normaliseAccess(input.access);
    if (input.type === 'a') {
      defaultAllow = input.allow;
      exceptions = [];
      continue;
    }
    checkDeviceNumber(input.major, 'major');
    checkDeviceNumber(input.minor, 'minor');
    if (input.allow !== defaultAllow) {
      const existing = exceptions.find((e) => sameDevice(e, input));
      if (existing) existing.access = normaliseAccess(existing.access + access);
      else if (access !== '') exceptions.push({ ...input, allow: !defaultAllow, access });
      continue;
    }
    for (const partial of [
      { type: input.type, major: null, minor: input.minor },
      { type: input.type, major: input.major, minor: null },
      { type: input.type, major: null, minor: null },
    ]) {
      if (partial.major === input.major && partial.minor === input.minor) continue;
      const covering = exceptions.find((e) => sameDevice(e, partial));
      if (covering && [...access].some((char) => covering.access.includes(char))) {
        throw new CistaError(
          `device rule "${deviceRuleString(input)}" cannot punch a hole in the wildcard rule "${deviceRuleString(covering)}"`,
        );
      }
    }
    const existing = exceptions.find((e) => sameDevice(e, input));
    if (existing) {
      existing.access = [...existing.access].filter((char) => !access.includes(char)).join('');
      if (existing.access === '') exceptions = exceptions.filter((e) => e !== existing);
    }
  }
  return { defaultAllow, exceptions };
}

function checkDeviceNumber(value: number | null, what: string): void {
  // The eBPF filter compares 32-bit immediates that the kernel sign-extends.
  if (value !== null && !(Number.isInteger(value) && value >= 0 && value <= 0x7fffffff)) {
    throw new CistaError(`device rule ${what} number ${value} is out of range`);
  }
}

/** Runs a driver's application of device rules; given refused, a failure goes there instead (see CgroupManager.create). */
export function applyDeviceRules(apply: () => void, refused: ((error: unknown) => void) | undefined): void {
  try {
    apply();
  } catch (error) {
    if (refused === undefined) throw error;
    refused(error);
  }
}
