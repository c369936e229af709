import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, Scratch, withoutMountNamespace } from '../helpers/bundle';
import { CISTA, cista } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('crash');
});
afterAll(() => scratch.cleanup());

/** Starts `create` and SIGKILLs it after `delayMs`; resolves once it is gone. */
function createKilledAfter(bundle: string, id: string, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(CISTA, ['--root', scratch.root, 'create', '--bundle', bundle, id], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('a create killed at any point', () => {
  it.each<[string, (c: Config) => void]>([
    ['', () => {}],
    // Its mounts are then in the host's mount table.
    [' without a mount namespace of its own', withoutMountNamespace],
  ])('is cleaned up completely by delete --force%s', async (name, edit) => {
    const bundle = scratch.bundle(`victim${name === '' ? '' : '-no-mount-ns'}`, ['sleep', '1000'], edit);
    // Spread over the whole create (about 0.3 s on an idle machine, more under load): before the
    // state dir, before and after the clone, while the init sets up, after it is ready.
    for (const delay of [0, 30, 60, 90, 120, 150, 200, 250, 300, 400, 600, 900]) {
      const id = `crash${delay}${name === '' ? '' : '-nomnt'}`;
      await createKilledAfter(bundle, id, delay);
      // The orphaned init notices the closed sync socket and exits; give it a moment.
      await sleep(100);
      const r = cista(scratch.root, ['delete', '--force', id]);
      expect(r, `delete --force after a create killed at ${delay} ms`).toMatchObject({ code: 0, stderr: '' });
      expect(leftovers(scratch.root, id, bundle), `after a create killed at ${delay} ms`).toEqual([]);
    }
    expect(fs.readdirSync(scratch.root)).toEqual([]);
  });
});
