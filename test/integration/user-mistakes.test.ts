import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { CISTA, cista, exec } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;
let bundle: string;
let ttyBundle: string;
/** A directory root owns and others may only read. */
let rootsDir: string;

beforeAll(() => {
  requireRoot();
  requireFile('/usr/bin/setpriv', 'util-linux setpriv runs cista as an unprivileged user');
  scratch = new Scratch('mistakes');
  bundle = scratch.bundle('good', ['true']);
  ttyBundle = scratch.bundle('tty', ['true'], (c) => (c.process.terminal = true));
  // The unprivileged user must reach the bundle (mkdtemp makes the scratch directory 0700).
  fs.chmodSync(scratch.dir, 0o755);
  rootsDir = path.join(scratch.dir, 'roots');
  fs.mkdirSync(rootsDir, { mode: 0o755 });
});
afterAll(() => scratch.cleanup());

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** Every user mistake the CLI answers, and its one line: what is wrong and what to do. */
const MISTAKES: { what: string; args: () => string[]; asNobody?: boolean; stderr: () => string | RegExp }[] = [
  { what: 'a typo in a flag', args: () => ['create', '--bundel', bundle, 'm1'], stderr: () => 'create: unknown flag --bundel (did you mean --bundle?); see cista create --help' },
  { what: 'a typo in a global flag', args: () => ['--lgo', 'x', 'list'], stderr: () => 'unknown flag --lgo (did you mean --log?); see cista --help' },
  { what: 'an unknown short flag', args: () => ['create', '-x', 'm1'], stderr: () => 'create: unknown flag -x; see cista create --help' },
  { what: 'a typo in a command', args: () => ['craete', 'm1'], stderr: () => 'unknown command "craete" (did you mean create?); see cista --help' },
  { what: 'a global flag after the command', args: () => ['create', '--root', '/x', 'm1'], stderr: () => 'create: --root is a global flag: put it before the command (cista --root ... create)' },
  { what: 'a flag without its value', args: () => ['list', '--format'], stderr: () => 'list: --format needs a value (table|json)' },
  { what: 'a value for a flag that takes none', args: () => ['list', '--quiet=3'], stderr: () => 'list: --quiet takes no value' },
  { what: 'a missing container id', args: () => ['state'], stderr: () => 'state: missing argument <container-id>' },
  { what: 'one argument too many', args: () => ['kill', 'a', 'KILL', 'extra'], stderr: () => 'kill: unexpected argument "extra"' },
  { what: 'a negative --preserve-fds', args: () => ['create', '--bundle', bundle, '--preserve-fds', '-1', 'm1'], stderr: () => '--preserve-fds must be a number, not "-1"' },
  { what: 'spec into a directory that does not exist', args: () => ['spec', '-b', '/nope'], stderr: () => 'spec: the bundle directory /nope does not exist: create it (with its rootfs) first' },
  { what: 'a bundle without config.json', args: () => ['create', '--bundle', '/nope', 'm1'], stderr: () => 'config.json: cannot read /nope/config.json: no such file or directory (ENOENT)' },
  { what: 'a --log file in a missing directory', args: () => ['--log', '/nope/log', 'list'], stderr: () => '--log /nope/log: cannot open it: no such file or directory (ENOENT)' },
  { what: 'a bad --log-format', args: () => ['--log-format', 'xml', 'list'], stderr: () => '--log-format must be text or json, not "xml"' },
  { what: 'a size without a known unit', args: () => ['update', '--memory', '12x', 'm1'], stderr: () => '--memory: "12x" is not a size: use bytes or a number with k, m, g, t or p (as 128M or 1.5g), or -1 for unlimited' },
  { what: 'a duration without a unit', args: () => ['events', '--interval', '5', 'm1'], stderr: () => '--interval: "5" is not a duration of 1ms or more: write it as 5s, 500ms or 1m30s' },
  {
    what: 'a --console-socket that does not exist',
    args: () => ['create', '--console-socket', '/nope/console.sock', '--bundle', ttyBundle, 'm3'],
    stderr: () => 'connecting to console socket /nope/console.sock: no such file or directory (ENOENT)',
  },
  { what: 'a container that does not exist', args: () => ['kill', 'nope'], stderr: () => 'container nope does not exist' },
  {
    what: 'an unprivileged user on a root-only config and the default --root',
    args: () => ['run', '--bundle', bundle, 'm2'],
    asNobody: true,
    // The config has no user namespace: cista says so before it touches anything.
    stderr: () => /^config\.json: \/linux\/namespaces: cista runs as uid 65534, not root, so the container needs a user namespace: .*`cista spec --rootless` writes such a config\)$/,
  },
  {
    what: 'an unprivileged user writing a spec where it may not',
    args: () => ['spec', '-b', rootsDir],
    asNobody: true,
    stderr: () => `open ${rootsDir}/config.json: permission denied (EACCES): run as root or use a rootless config (cista spec --rootless)`,
  },
];

describe('user mistakes get one line that says what to do, never "internal error"', () => {
  it.each(MISTAKES.map((m) => [m.what, m] as const))('%s', (_, mistake) => {
    const args = ['--root', scratch.root, ...mistake.args()];
    // The default --root (/run/cista) is what an unprivileged user meets.
    const r = mistake.asNobody ? exec('/usr/bin/setpriv', [...NOBODY, CISTA, ...args.slice(mistake.what.includes('default --root') ? 2 : 0)]) : cista(scratch.root, mistake.args());
    const stderr = mistake.stderr();
    expect(r).toEqual({ code: 1, stdout: '', stderr: typeof stderr === 'string' ? `cista: ${stderr}\n` : expect.stringMatching(new RegExp(`^cista: ${stderr.source.slice(1, -1)}\n$`)) });
  });

  it('leaves nothing behind', () => {
    for (const id of ['m1', 'm2']) expect(leftovers(scratch.root, id, bundle)).toEqual([]);
    expect(leftovers(scratch.root, 'm3', ttyBundle)).toEqual([]);
  });
});
