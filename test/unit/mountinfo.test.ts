import { describe, expect, it } from 'vitest';
import { CistaError } from '../../src/engine/errors';
import { parseMountInfo } from '../../src/engine/mountinfo';

describe('parseMountInfo', () => {
  it('reads id, root, mount point, fstype and super options, unescaping octal escapes', () => {
    const [entry] = parseMountInfo('40 30 0:37 /a\\040b /mnt/with\\040space rw,relatime shared:1 - cgroup2 cgroup2 rw,nsdelegate\n');
    expect(entry).toEqual({ id: 40, root: '/a b', mountPoint: '/mnt/with space', fstype: 'cgroup2', superOptions: ['rw', 'nsdelegate'] });
  });

  it('copes with no optional fields', () => {
    const [entry] = parseMountInfo('31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu');
    expect(entry.fstype).toBe('cgroup');
    expect(entry.superOptions).toEqual(['rw', 'cpu']);
  });

  it('rejects a line without the separator', () => {
    expect(() => parseMountInfo('31 30 0:28 / /x rw')).toThrow(CistaError);
  });
});
