import { describe, expect, it } from 'vitest';

import { checkIntelRdt } from '../../src/engine/intel-rdt';

const WITHOUT = '22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n';
const WITH = `${WITHOUT}40 22 0:35 / /sys/fs/resctrl rw,relatime shared:20 - resctrl resctrl rw\n`;

function refusal(rdt: Parameters<typeof checkIntelRdt>[0], mountInfo: string): string | undefined {
  try {
    checkIntelRdt(rdt, mountInfo);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('checkIntelRdt', () => {
  it('has nothing to say without linux.intelRdt', () => {
    expect(refusal(undefined, WITHOUT)).toBeUndefined();
  });

  it('refuses a closID that cannot name a resctrl directory, whatever the host', () => {
    for (const closID of ['', '.', '..', 'a/b']) {
      expect(refusal({ closID }, WITH)).toBe(`config.json: /linux/intelRdt/closID: ${JSON.stringify(closID)} cannot name a directory of the resctrl filesystem`);
    }
  });

  it('says in one line that a host without resctrl cannot do it, as runc refuses it', () => {
    expect(refusal({ closID: 'gold', l3CacheSchema: 'L3:0=ff' }, WITHOUT)).toBe(
      'config.json: /linux/intelRdt: this host has no resctrl filesystem mounted (it needs Intel RDT or AMD QoS, and resctrl mounted at /sys/fs/resctrl)',
    );
    expect(refusal({}, WITHOUT)).toMatch(/no resctrl filesystem mounted/);
  });

  it('refuses it as not supported yet where resctrl is mounted', () => {
    expect(refusal({ closID: 'gold' }, WITH)).toBe('config.json: /linux/intelRdt: not supported yet (cista does not write resctrl groups)');
  });
});
