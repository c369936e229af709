import * as fs from 'node:fs';

import { describe, expect, it } from 'vitest';

import { cleanFileMappings } from '../../../src/shim/memory';

const SMAPS = [
  '00400000-00600000 r--p 00000000 08:01 1234                               /usr/bin/node',
  'Rss:                2048 kB',
  'Anonymous:             0 kB',
  '00600000-00800000 r-xp 00200000 08:01 1234                               /usr/bin/node',
  'Rss:                1024 kB',
  'Anonymous:             0 kB',
  // Relocated then made read-only (RELRO): written pages, which MADV_DONTNEED would lose.
  '00800000-00810000 r--p 00400000 08:01 1234                               /usr/bin/node',
  'Anonymous:             8 kB',
  '00810000-00820000 rw-p 00410000 08:01 1234                               /usr/bin/node',
  'Anonymous:             0 kB',
  '7f0000000000-7f0000100000 r--s 00000000 00:05 99                         /dev/shm/x',
  'Anonymous:             0 kB',
  '7f0000100000-7f0000200000 rw-p 00000000 00:00 0 ',
  'Anonymous:          1024 kB',
  '7f0000200000-7f0000300000 r--p 00000000 00:00 0                          [vvar]',
  'Anonymous:             0 kB',
  '',
].join('\n');

describe('the shim gives back clean file pages', () => {
  it('keeps the read-only private file mappings without a written page, as [start, end) pairs', () => {
    expect(cleanFileMappings(SMAPS)).toEqual([0x400000, 0x600000, 0x600000, 0x800000]);
  });

  it('finds the node binary among this process’s own mappings', () => {
    const ranges = cleanFileMappings(fs.readFileSync('/proc/self/smaps', 'utf8'));
    expect(ranges.length).toBeGreaterThan(0);
    for (let i = 0; i < ranges.length; i += 2) expect(ranges[i]).toBeLessThan(ranges[i + 1]);
  });
});
