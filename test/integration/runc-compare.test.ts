import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { cista, exec } from '../helpers/cli';
import { requireFile, requireRoot } from '../helpers/prerequisites';

const RUNC = '/usr/bin/runc';
let scratch: Scratch;
let counter = 0;

/** Runs the same script in the same bundle under runc and under cista. */
function both(script: string): { runc: string; cista: string } {
  const id = `cmp${counter++}`;
  const bundle = scratch.bundle(id, ['sh', '-c', script], (c) => (c.hostname = 'same'));
  const runcRoot = path.join(scratch.dir, 'runc-state');
  const byRunc = exec(RUNC, ['--root', runcRoot, 'run', '--bundle', bundle, id]);
  const byCista = cista(scratch.root, ['run', '--bundle', bundle, id]);
  expect(byRunc.code).toBe(0);
  expect(byCista.code).toBe(0);
  return { runc: byRunc.stdout, cista: byCista.stdout };
}

beforeAll(() => {
  requireRoot();
  requireFile(RUNC, 'Debian\'s runc, the reference these tests compare with');
  scratch = new Scratch('runc-compare');
});
afterAll(() => scratch.cleanup());

describe('the default config behaves as under runc', () => {
  it('the same process attributes', () => {
    const r = both('echo $$; hostname; id; grep -E "^(Cap|NoNewPrivs|Seccomp:)" /proc/self/status; ulimit -n; ulimit -Hn; umask; pwd');
    expect(r.cista).toBe(r.runc);
  });

  it('the same devices and /dev layout', () => {
    const r = both('ls -l /dev | awk \'{print $1, $5, $6, $NF}\'');
    expect(r.cista).toBe(r.runc);
  });

  // Two deliberate differences: masked directories get a size-limited tmpfs (as newer runc does), and
  // the tmpfs under the v1 cgroup hierarchies is read-only as config.json asks (runc 1.1 leaves it rw).
  it('the same mount points and options', () => {
    const script = 'awk \'{print $2, $3, $4}\' /proc/self/mounts | grep -v "^/sys/fs/cgroup tmpfs" | sed -e "s/,size=[0-9]*k//" -e "s/,nr_inodes=[0-9]*//" | sort';
    const r = both(script);
    expect(r.cista).toBe(r.runc);
  });

  it('the same masked and read-only paths', () => {
    const r = both('for p in /proc/keys /proc/timer_list /proc/acpi /sys/firmware /proc/sys /proc/sysrq-trigger /proc/irq /proc/bus; do [ -e $p ] && stat -c "%n %F" $p; done; echo 1 > /proc/sys/vm/overcommit_memory 2>&1 | cut -d: -f2-');
    expect(r.cista).toBe(r.runc);
  });

  it('the same exit status', () => {
    const bundle = scratch.bundle('exit', ['sh', '-c', 'exit 42']);
    expect(exec(RUNC, ['--root', path.join(scratch.dir, 'runc-state'), 'run', '--bundle', bundle, 'ex']).code).toBe(42);
    expect(cista(scratch.root, ['run', '--bundle', bundle, 'ex']).code).toBe(42);
    expect(fs.existsSync(path.join(scratch.root, 'ex'))).toBe(false);
  });
});
