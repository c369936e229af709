import { describe, expect, it } from 'vitest';
import { defaultAllowedDevices, DeviceRule, deviceRuleString, resolveDeviceRules } from '../../../src/engine/cgroups/devices';
import { CistaError } from '../../../src/engine/errors';

const denyAll: DeviceRule = { allow: false, type: 'a', major: null, minor: null, access: 'rwm' };
const allowAll: DeviceRule = { allow: true, type: 'a', major: null, minor: null, access: 'rwm' };
const char = (allow: boolean, major: number | null, minor: number | null, access: string): DeviceRule => ({
  allow,
  type: 'c',
  major,
  minor,
  access,
});

describe('deviceRuleString', () => {
  it('writes the v1 line with wildcards and canonical access order', () => {
    expect(deviceRuleString(char(true, 1, 3, 'rwm'))).toBe('c 1:3 rwm');
    expect(deviceRuleString(allowAll)).toBe('a *:* rwm');
    expect(deviceRuleString({ allow: true, type: 'b', major: null, minor: null, access: 'm' })).toBe('b *:* m');
    expect(deviceRuleString(char(true, 136, null, 'mwr'))).toBe('c 136:* rwm');
  });

  it('rejects access outside rwm', () => {
    expect(() => deviceRuleString(char(true, 1, 3, 'rx'))).toThrow(CistaError);
  });
});

describe('defaultAllowedDevices', () => {
  it("is runc 1.1's list in its order", () => {
    expect(defaultAllowedDevices().map(deviceRuleString)).toEqual([
      'c *:* m',
      'b *:* m',
      'c 1:3 rwm',
      'c 1:8 rwm',
      'c 1:7 rwm',
      'c 5:0 rwm',
      'c 1:5 rwm',
      'c 1:9 rwm',
      'c 136:* rwm',
      'c 5:2 rwm',
      'c 10:200 rwm',
    ]);
    expect(defaultAllowedDevices().every((rule) => rule.allow)).toBe(true);
  });
});

describe('resolveDeviceRules', () => {
  it('starts denying everything', () => {
    expect(resolveDeviceRules([])).toEqual({ defaultAllow: false, exceptions: [] });
  });

  it("keeps runc's default spec (deny all, then the default allows) as allow exceptions", () => {
    const resolved = resolveDeviceRules([denyAll, ...defaultAllowedDevices()]);
    expect(resolved.defaultAllow).toBe(false);
    expect(resolved.exceptions.map(deviceRuleString)).toEqual(defaultAllowedDevices().map(deviceRuleString));
  });

  it('"a" rules reset to allow-all / deny-all', () => {
    const resolved = resolveDeviceRules([char(true, 1, 3, 'rwm'), allowAll, char(false, 1, 3, 'w')]);
    expect(resolved).toEqual({ defaultAllow: true, exceptions: [char(false, 1, 3, 'w')] });
    expect(resolveDeviceRules([allowAll, char(false, 1, 3, 'w'), denyAll])).toEqual({ defaultAllow: false, exceptions: [] });
  });

  it('merges access of the same device and removes access with an exact rule', () => {
    const resolved = resolveDeviceRules([char(true, 1, 3, 'r'), char(true, 1, 3, 'm'), char(false, 1, 3, 'r')]);
    expect(resolved.exceptions).toEqual([char(true, 1, 3, 'm')]);
    expect(resolveDeviceRules([char(true, 1, 3, 'rwm'), char(false, 1, 3, 'rwm')]).exceptions).toEqual([]);
  });

  it('refuses to punch a hole in a wildcard exception, which v1 would silently ignore', () => {
    expect(() => resolveDeviceRules([char(true, 1, null, 'rwm'), char(false, 1, 3, 'w')])).toThrow(/punch a hole/);
    expect(() => resolveDeviceRules([allowAll, char(false, null, null, 'r'), char(true, 1, 3, 'r')])).toThrow(CistaError);
    // No overlap of access: fine.
    expect(resolveDeviceRules([char(true, 1, null, 'm'), char(false, 1, 3, 'rw')]).exceptions).toEqual([char(true, 1, null, 'm')]);
  });

  it('rejects out-of-range device numbers', () => {
    expect(() => resolveDeviceRules([char(true, -1, 3, 'r')])).toThrow(CistaError);
    expect(() => resolveDeviceRules([char(true, 2 ** 32, 3, 'r')])).toThrow(CistaError);
  });
});
