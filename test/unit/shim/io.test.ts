import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { ProcessOutputs } from '../../../src/shim/io';

const owner = { id: 'c1', namespace: 'ns' };
const io = (stdout: string, stderr = stdout) => ({ stdin: '', stdout, stderr, terminal: false });

let dir = '';
afterEach(() => {
  if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('a task process stdout and stderr as containerd names them', () => {
  it('opens a file:// log URI for both, appending, creating it (0644) and its directory', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shim-io-'));
    const file = path.join(dir, 'a b', 'c.log');
    fs.mkdirSync(path.dirname(file));
    fs.writeFileSync(file, 'before\n');
    fs.chmodSync(file, 0o644);
    const outputs = await ProcessOutputs.open(io(`file://${encodeURI(file)}`), owner);
    fs.writeSync(outputs.stdout as number, 'out\n');
    fs.writeSync(outputs.stderr as number, 'err\n');
    await outputs.release();
    expect(fs.readFileSync(file, 'utf8')).toBe('before\nout\nerr\n');

    const fresh = path.join(dir, 'new', 'dir', 'd.log');
    await (await ProcessOutputs.open(io(`file://${fresh}`), owner)).release();
    expect(fs.statSync(fresh).mode & 0o777).toBe(0o644);
  });

  it('refuses a scheme containerd does not define, naming the URI', async () => {
    await expect(ProcessOutputs.open(io('syslog://localhost/x'), owner)).rejects.toThrow('stdout syslog://localhost/x: unknown scheme syslog (use a fifo path, file:// or binary://)');
  });

  it('gives no fds for no output', async () => {
    const outputs = await ProcessOutputs.open(io(''), owner);
    expect([outputs.stdout, outputs.stderr]).toEqual(['ignore', 'ignore']);
  });
});
