import { describe, expect, it } from 'vitest';

import { formatIdMap, idMappingProblem, mapsId } from '../../../src/engine/spec/id-mappings';

describe('id mappings', () => {
  it('formats one "containerID hostID size" line per mapping, as uid_map takes them', () => {
    expect(formatIdMap([{ containerID: 0, hostID: 1000, size: 2000 }, { containerID: 5000, hostID: 100, size: 1 }])).toBe('0 1000 2000\n5000 100 1\n');
    expect(formatIdMap([])).toBe('');
  });

  it('tells which container ids a list maps', () => {
    const mappings = [{ containerID: 0, hostID: 1000, size: 10 }, { containerID: 100, hostID: 5, size: 1 }];
    expect([0, 9, 10, 99, 100, 101].map((id) => mapsId(mappings, id))).toEqual([true, true, false, false, true, false]);
  });

  it('accepts adjacent ranges and the largest valid id', () => {
    expect(
      idMappingProblem([
        { containerID: 0, hostID: 1000, size: 10 },
        { containerID: 10, hostID: 1010, size: 10 },
        { containerID: 0xfffffffe, hostID: 0xfffffffe, size: 1 },
      ]),
    ).toBeUndefined();
  });

  it('refuses what the kernel would refuse', () => {
    expect(idMappingProblem([{ containerID: 0, hostID: 0, size: 0 }])).toEqual({ index: 0, field: '/size', problem: 'must not be 0' });
    expect(idMappingProblem([{ containerID: 0xffffffff, hostID: 0, size: 1 }])?.field).toBe('/containerID');
    expect(
      idMappingProblem([
        { containerID: 0, hostID: 1000, size: 10 },
        { containerID: 20, hostID: 995, size: 10 },
      ]),
    ).toEqual({ index: 1, field: '/hostID', problem: 'range overlaps mapping 0' });
    const many = Array.from({ length: 341 }, (_, i) => ({ containerID: i, hostID: i, size: 1 }));
    expect(idMappingProblem(many)?.index).toBe(340);
    expect(idMappingProblem(many.slice(0, 340))).toBeUndefined();
  });
});
