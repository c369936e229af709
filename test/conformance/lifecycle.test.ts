import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { cista } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;

function status(id: string): string {
  return JSON.parse(cista(scratch.root, ['state', id]).stdout).status;
}

function pidOf(id: string): number {
  return JSON.parse(cista(scratch.root, ['state', id]).stdout).pid;
}

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('conformance-lifecycle');
});
afterAll(() => {
  for (const id of fs.existsSync(scratch.root) ? fs.readdirSync(scratch.root) : []) cista(scratch.root, ['delete', '--force', id]);
  scratch.cleanup();
});

describe('namespaces', () => {
  it('new namespaces differ from the host\'s; the ones not listed are the host\'s', () => {
    const bundle = scratch.bundle('ns', ['sleep', '1000'], (c) => {
      c.linux.namespaces = [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }, { type: 'ipc' }, { type: 'cgroup' }];
      c.mounts = c.mounts.filter((m: { destination: string }) => m.destination !== '/sys' && m.destination !== '/sys/fs/cgroup');
    });
    expect(cista(scratch.root, ['create', '--bundle', bundle, 'ns']).code).toBe(0);
    const pid = pidOf('ns');
    const ns = (p: string | number, type: string) => fs.readlinkSync(`/proc/${p}/ns/${type}`);
    for (const type of ['pid', 'mnt', 'uts', 'ipc', 'cgroup']) expect(ns(pid, type)).not.toBe(ns('self', type));
    expect(ns(pid, 'net')).toBe(ns('self', 'net'));
    expect(ns(pid, 'user')).toBe(ns('self', 'user'));
    expect(cista(scratch.root, ['delete', '--force', 'ns']).code).toBe(0);
  });

  it('namespaces joined by path are the same as the holder\'s', () => {
    const holder = scratch.bundle('holder', ['sleep', '1000']);
    expect(cista(scratch.root, ['run', '-d', '--bundle', holder, 'holder']).code).toBe(0);
    const hp = pidOf('holder');
    const joiner = scratch.bundle('joiner', ['sleep', '1000'], (c) => {
      delete c.hostname;
      c.linux.namespaces = [
        { type: 'pid', path: `/proc/${hp}/ns/pid` },
        { type: 'network', path: `/proc/${hp}/ns/net` },
        { type: 'ipc', path: `/proc/${hp}/ns/ipc` },
        { type: 'uts', path: `/proc/${hp}/ns/uts` },
        { type: 'mount' },
      ];
    });
    expect(cista(scratch.root, ['create', '--bundle', joiner, 'joiner']).code).toBe(0);
    const jp = pidOf('joiner');
    for (const type of ['pid', 'net', 'ipc', 'uts']) {
      const want = type === 'pid' ? fs.readlinkSync(`/proc/${hp}/ns/pid`) : fs.readlinkSync(`/proc/${hp}/ns/${type}`);
      expect(fs.readlinkSync(`/proc/${jp}/ns/${type}`)).toBe(want);
    }
    expect(fs.readlinkSync(`/proc/${jp}/ns/mnt`)).not.toBe(fs.readlinkSync(`/proc/${hp}/ns/mnt`));
    expect(cista(scratch.root, ['delete', '--force', 'joiner']).code).toBe(0);
    expect(cista(scratch.root, ['delete', '--force', 'holder']).code).toBe(0);
  });
});

describe('state transitions, kill and delete semantics (spec-exact)', () => {
  it('created -> running -> stopped, and state reports stopped until delete', () => {
    const bundle = scratch.bundle('short', ['sleep', '1']);
    expect(cista(scratch.root, ['create', '--bundle', bundle, 'short']).code).toBe(0);
    expect(status('short')).toBe('created');
    expect(cista(scratch.root, ['start', 'short']).code).toBe(0);
    expect(status('short')).toBe('running');
    const deadline = Date.now() + 10_000;
    while (status('short') !== 'stopped' && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    expect(status('short')).toBe('stopped');
    expect(cista(scratch.root, ['start', 'short']).code).toBe(1);
    expect(cista(scratch.root, ['delete', 'short']).code).toBe(0);
    expect(leftovers(scratch.root, 'short', bundle)).toEqual([]);
  });

  it('delete of a created container fails without --force', () => {
    const bundle = scratch.bundle('created', ['true']);
    expect(cista(scratch.root, ['create', '--bundle', bundle, 'created']).code).toBe(0);
    const r = cista(scratch.root, ['delete', 'created']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not stopped: created/);
    expect(status('created')).toBe('created');
    expect(cista(scratch.root, ['delete', '--force', 'created']).code).toBe(0);
  });

  it('kill of a created container delivers the signal', () => {
    const bundle = scratch.bundle('killcreated', ['true']);
    expect(cista(scratch.root, ['create', '--bundle', bundle, 'kc']).code).toBe(0);
    expect(cista(scratch.root, ['kill', 'kc', 'KILL']).code).toBe(0);
    const deadline = Date.now() + 10_000;
    while (status('kc') !== 'stopped' && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    expect(status('kc')).toBe('stopped');
    expect(cista(scratch.root, ['delete', 'kc']).code).toBe(0);
  });

  it('an unknown capability is an error', () => {
    const bundle = scratch.bundle('badcap', ['true'], (c) => c.process.capabilities.bounding.push('CAP_NOT_A_THING'));
    const r = cista(scratch.root, ['create', '--bundle', bundle, 'badcap']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CAP_NOT_A_THING/);
    expect(leftovers(scratch.root, 'badcap', bundle)).toEqual([]);
  });

  it('a container without a process can be created but not started: start fails and the container stops', () => {
    const bundle = scratch.bundle('noprocess', ['true'], (c) => delete c.process);
    expect(cista(scratch.root, ['create', '--bundle', bundle, 'noproc'])).toMatchObject({ code: 0, stderr: '' });
    expect(status('noproc')).toBe('created');
    const r = cista(scratch.root, ['start', 'noproc']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('cista: cannot start a container without a process (config.json has no /process)\n');
    expect(status('noproc')).toBe('stopped');
    expect(cista(scratch.root, ['delete', 'noproc']).code).toBe(0);
    expect(leftovers(scratch.root, 'noproc', bundle)).toEqual([]);
  });

  it('hooks get the state on stdin and run before the operation that runs them returns', () => {
    const out = `${scratch.dir}/hooks-out`;
    fs.mkdirSync(out);
    const record = (name: string) => ({ path: '/bin/busybox', args: ['sh', '-c', `cat > ${out}/${name}`] });
    const bundle = scratch.bundle('hooks', ['sleep', '1000'], (c) => {
      c.annotations = { 'org.example/a': 'b' };
      c.hooks = { prestart: [record('prestart')], poststart: [record('poststart')], poststop: [record('poststop')] };
    });
    const read = (name: string) => JSON.parse(fs.readFileSync(`${out}/${name}`, 'utf8'));
    const expected = { ociVersion: '1.0.2-dev', id: 'hooks', bundle, annotations: { 'org.example/a': 'b' } };

    expect(cista(scratch.root, ['create', '--bundle', bundle, 'hooks'])).toMatchObject({ code: 0, stderr: '' });
    const pid = pidOf('hooks');
    expect(read('prestart')).toEqual({ ...expected, status: 'created', pid });
    expect(fs.existsSync(`${out}/poststart`)).toBe(false);
    expect(cista(scratch.root, ['start', 'hooks'])).toMatchObject({ code: 0, stderr: '' });
    expect(read('poststart')).toEqual({ ...expected, status: 'running', pid });
    expect(fs.existsSync(`${out}/poststop`)).toBe(false);
    expect(cista(scratch.root, ['delete', '--force', 'hooks'])).toMatchObject({ code: 0, stderr: '' });
    expect(read('poststop')).toEqual({ ...expected, status: 'stopped' });
    expect(leftovers(scratch.root, 'hooks', bundle)).toEqual([]);
  });
});
