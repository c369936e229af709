/**
 * linux.netDevices: a veth the test makes on the host (with `ip`, which cista itself never runs)
 * is moved into the container's network namespace, renamed, with its address and up, and comes
 * back to the host under its own name when the container is deleted, also after it stopped.
 */
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { cista, exec } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';

const VETH = 'cista-nd0';
const PEER = 'cista-nd0p';
const ADDRESS = '10.213.7.1/24';
let scratch: Scratch;

function ip(...args: string[]) {
  const r = exec('ip', args);
  if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function removeVeth(): void {
  // Deleting either end deletes the pair; it may be gone already.
  exec('ip', ['link', 'del', VETH]);
}

beforeAll(() => {
  requireRoot();
  requireFile('/usr/sbin/ip', 'iproute2 makes the test veth');
  scratch = new Scratch('net-devices');
  removeVeth();
  ip('link', 'add', VETH, 'type', 'veth', 'peer', 'name', PEER);
  ip('addr', 'add', ADDRESS, 'dev', VETH);
});
afterAll(() => {
  removeVeth();
  scratch.cleanup();
});

describe('linux.netDevices', () => {
  it('moves a host device into the container renamed, with its address and up, and back on delete', () => {
    const id = 'netdev0';
    const bundle = scratch.bundle(id, ['sleep', '60'], (c) => (c.linux.netDevices = { [VETH]: { name: 'eth7' } }));
    try {
      const run = cista(scratch.root, ['run', '-d', '--bundle', bundle, id]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      // Gone from the host...
      expect(fs.existsSync(`/sys/class/net/${VETH}`)).toBe(false);
      // ...and in the container as eth7, up, with its address.
      const link = cista(scratch.root, ['exec', id, 'ip', '-o', 'link', 'show', 'dev', 'eth7']);
      expect(link.stderr).toBe('');
      expect(link.stdout).toMatch(/^\d+: eth7@\S+: <[^>]*\bUP\b[^>]*>/);
      const address = cista(scratch.root, ['exec', id, 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth7']);
      expect(address.stdout).toContain(`inet ${ADDRESS}`);
      // The stats count its traffic: the interfaces of the container's namespace but loopback.
      const stats = JSON.parse(cista(scratch.root, ['events', '--stats', id]).stdout).data;
      expect(stats.network_interfaces).toEqual([
        expect.objectContaining({ name: 'eth7', rx_bytes: expect.any(Number), tx_packets: expect.any(Number), tx_dropped: expect.any(Number) }),
      ]);
    } finally {
      expect(cista(scratch.root, ['delete', '-f', id]).code).toBe(0);
    }
    // Back on the host under its own name, with its address.
    expect(ip('-o', '-4', 'addr', 'show', 'dev', VETH)).toContain(`inet ${ADDRESS}`);
    expect(leftovers(scratch.root, id, bundle)).toEqual([]);
  });

  it('brings the device back when the container stopped by itself before the delete (its namespace is pinned)', () => {
    const id = 'netdev2';
    const bundle = scratch.bundle(id, ['sh', '-c', 'ip -o -4 addr show dev eth7'], (c) => (c.linux.netDevices = { [VETH]: { name: 'eth7' } }));
    // run: the process exits, then run deletes the container.
    const r = cista(scratch.root, ['run', '--bundle', bundle, id]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`inet ${ADDRESS}`);
    expect(ip('-o', '-4', 'addr', 'show', 'dev', VETH)).toContain(`inet ${ADDRESS}`);
    expect(leftovers(scratch.root, id, bundle)).toEqual([]);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(`${scratch.root}/${id}/netns`);
  });

  it('refuses a device the host does not have before touching the host', () => {
    const id = 'netdev1';
    const bundle = scratch.bundle(id, ['true'], (c) => (c.linux.netDevices = { 'cista-none9': {} }));
    const r = cista(scratch.root, ['run', '--bundle', bundle, id]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe('cista: config.json: /linux/netDevices/cista-none9: there is no network device "cista-none9" on the host\n');
    expect(fs.existsSync(`${scratch.root}/${id}`)).toBe(false);
  });
});
