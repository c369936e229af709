/**
 * linux.intelRdt on a host without resctrl (this one, and CI's): refused in one line before the host
 * is touched. Where resctrl is mounted the same config is refused as not supported yet.
 */
import * as fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { cista } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('intel-rdt');
});
afterAll(() => scratch.cleanup());

it('refuses linux.intelRdt in one line naming the field and what the host lacks, leaving nothing behind', () => {
  const hostHasResctrl = fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(' - resctrl ');
  const id = 'rdt0';
  const bundle = scratch.bundle(id, ['true'], (c) => (c.linux.intelRdt = { closID: 'gold', l3CacheSchema: 'L3:0=ff' }));
  const r = cista(scratch.root, ['run', '--bundle', bundle, id]);
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr).toBe(
    hostHasResctrl
      ? 'cista: config.json: /linux/intelRdt: not supported yet (cista does not write resctrl groups)\n'
      : 'cista: config.json: /linux/intelRdt: this host has no resctrl filesystem mounted (it needs Intel RDT or AMD QoS, and resctrl mounted at /sys/fs/resctrl)\n',
  );
  expect(leftovers(scratch.root, id, bundle)).toEqual([]);
});
