import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { CISTA, exec } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;

beforeAll(() => {
  requireRoot();
  requireFile('/usr/bin/script', 'util-linux script gives cista a terminal to run under');
  scratch = new Scratch('terminal');
});
afterAll(() => scratch.cleanup());

describe('process.terminal, as in the default config', () => {
  it('a foreground run gives the process a pty of the container\'s own devpts as its controlling terminal', () => {
    const bundle = scratch.bundle('tty', ['sh', '-c', 'tty; [ -t 0 ] && [ -t 1 ] && echo stdio-is-a-tty; ps -o pid,tty | tail -1; exit 5'], (c) => {
      c.process.terminal = true;
    });
    const command = `${CISTA} --root ${scratch.root} run --bundle ${bundle} tty1`;
    const r = exec('/usr/bin/script', ['-qec', command, '/dev/null']);
    // Two ptys (script's and the container's) each turn \n into \r\n.
    expect(r.stdout).toMatch(/^\/dev\/pts\/0\r*$/m);
    expect(r.stdout).toMatch(/stdio-is-a-tty\r*$/m);
    expect(r.code).toBe(5);
    expect(leftovers(scratch.root, 'tty1', bundle)).toEqual([]);
  });

  it('a detached container with a terminal needs --console-socket', () => {
    const bundle = scratch.bundle('detached', ['true'], (c) => (c.process.terminal = true));
    const r = exec(CISTA, ['--root', scratch.root, 'create', '--bundle', bundle, 'tty2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\/process\/terminal: a terminal needs --console-socket/);
    expect(leftovers(scratch.root, 'tty2', bundle)).toEqual([]);
  });
});
