import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type Config, Scratch, editConfig } from '../helpers/bundle';
import { cista } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';

const KINDS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;
type Kind = (typeof KINDS)[number];

/**
 * Each hook records its stdin, env and place in the order under $OUT; the poststart one also the
 * command line of the pid it was given, to show the process was exec'd by then.
 */
const RECORD = [
  'cat > "$OUT/$KIND.json"',
  'env > "$OUT/$KIND.env"',
  'echo "$KIND" >> "$OUT/order"',
  'if [ "$KIND" = poststart ]; then pid=$(sed -n \'s/.*"pid":\\([0-9]*\\).*/\\1/p\' "$OUT/$KIND.json"); tr "\\0" " " < /proc/$pid/cmdline > "$OUT/$KIND.cmdline"; fi',
].join('; ');

let scratch: Scratch;
let seq = 0;

beforeAll(() => {
  requireRoot();
  requireFile('/bin/busybox', 'busybox-static runs the hooks on the host');
  scratch = new Scratch('hooks');
});

afterAll(() => {
  for (const id of fs.existsSync(scratch.root) ? fs.readdirSync(scratch.root) : []) cista(scratch.root, ['delete', '--force', id]);
  scratch.cleanup();
});

interface Case {
  id: string;
  bundle: string;
  /** Where the host-side hooks write; the container sees it at /out. */
  out: string;
}

/** A hook of `kind` running RECORD (or `script`), from the host's busybox or, for startContainer, the container's sh. */
function hook(kind: Kind, out: string, script = RECORD, extra: Record<string, unknown> = {}) {
  const inContainer = kind === 'startContainer';
  return {
    path: inContainer ? '/bin/sh' : '/bin/busybox',
    args: ['sh', '-c', script],
    env: [`OUT=${inContainer ? '/out' : out}`, `KIND=${kind}`],
    ...extra,
  };
}

function makeCase(args: string[], hooks: (out: string) => Config['hooks']): Case {
  const id = `hk${++seq}`;
  const out = path.join(scratch.dir, `${id}-out`);
  fs.mkdirSync(out);
  const bundle = scratch.bundle(id, args, (c) => {
    c.hooks = hooks(out);
    c.annotations = { 'org.example/key': 'value' };
    c.mounts.push({ destination: '/out', type: 'bind', source: out, options: ['rbind'] });
  });
  return { id, bundle, out };
}

const allHooks = (out: string) => Object.fromEntries(KINDS.map((kind) => [kind, [hook(kind, out)]]));

function readState(c: Case, kind: Kind) {
  return JSON.parse(fs.readFileSync(path.join(c.out, `${kind}.json`), 'utf8'));
}

function order(c: Case): string[] {
  const file = path.join(c.out, 'order');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
}

function waitStopped(c: Case): void {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && JSON.parse(cista(scratch.root, ['state', c.id]).stdout).status !== 'stopped') {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

afterEach(() => {
  // A failed assertion must not leave a container behind.
  for (const id of fs.existsSync(scratch.root) ? fs.readdirSync(scratch.root) : []) cista(scratch.root, ['delete', '--force', id]);
});

describe('OCI hooks', () => {
  it('runs all six in the lifecycle order, each with the state on stdin and only its own env', () => {
    const c = makeCase(['sleep', '1000'], allHooks);
    // Nothing of cista's own environment may reach a hook.
    const env = { ...process.env, CISTA_HOOK_LEAK: 'leaked' };
    expect(cista(scratch.root, ['create', '--bundle', c.bundle, c.id], { env })).toMatchObject({ code: 0, stderr: '' });
    expect(order(c)).toEqual(['prestart', 'createRuntime', 'createContainer']);
    const pid = JSON.parse(cista(scratch.root, ['state', c.id]).stdout).pid;

    expect(cista(scratch.root, ['start', c.id], { env })).toMatchObject({ code: 0, stderr: '' });
    expect(order(c)).toEqual(['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart']);
    expect(fs.readFileSync(path.join(c.out, 'poststart.cmdline'), 'utf8')).toBe('sleep 1000 ');

    expect(cista(scratch.root, ['kill', c.id, 'KILL']).code).toBe(0);
    waitStopped(c);
    expect(cista(scratch.root, ['delete', c.id], { env })).toMatchObject({ code: 0, stderr: '' });
    expect(order(c)).toEqual([...KINDS]);

    const expected = { ociVersion: '1.0.2-dev', id: c.id, bundle: c.bundle, annotations: { 'org.example/key': 'value' } };
    for (const kind of ['prestart', 'createRuntime', 'createContainer', 'startContainer'] as const) {
      expect(readState(c, kind)).toEqual({ ...expected, status: 'created', pid });
    }
    expect(readState(c, 'poststart')).toEqual({ ...expected, status: 'running', pid });
    expect(readState(c, 'poststop')).toEqual({ ...expected, status: 'stopped' });
    for (const kind of KINDS) {
      const hookEnv = fs.readFileSync(path.join(c.out, `${kind}.env`), 'utf8');
      expect(hookEnv).toContain(`KIND=${kind}\n`);
      expect(hookEnv).not.toContain('CISTA_HOOK_LEAK');
    }
    expect(leftovers(scratch.root, c.id, c.bundle)).toEqual([]);
  });

  it('runs them all under a foreground run, and the ones recorded at create whatever config.json says later', () => {
    const c = makeCase(['true'], allHooks);
    expect(cista(scratch.root, ['run', '--bundle', c.bundle, c.id])).toMatchObject({ code: 0, stderr: '' });
    expect(order(c)).toEqual([...KINDS]);

    const d = makeCase(['true'], allHooks);
    expect(cista(scratch.root, ['create', '--bundle', d.bundle, d.id]).code).toBe(0);
    editConfig(d.bundle, (config) => (config.hooks = { poststart: [{ path: '/bin/false' }], poststop: [{ path: '/bin/false' }] }));
    expect(cista(scratch.root, ['start', d.id])).toMatchObject({ code: 0, stderr: '' });
    waitStopped(d);
    expect(cista(scratch.root, ['delete', d.id])).toMatchObject({ code: 0, stderr: '' });
    expect(order(d)).toEqual([...KINDS]);
  });

  it.each(['prestart', 'createRuntime', 'createContainer'] as const)('fails create when a %s hook fails, leaving nothing but running poststop', (kind) => {
    const c = makeCase(['true'], (out) => ({
      [kind]: [hook(kind, out, 'echo "$KIND says"; echo "no way" >&2; exit 3')],
      poststop: [hook('poststop', out)],
    }));
    const r = cista(scratch.root, ['create', '--bundle', c.bundle, c.id]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`error running ${kind} hook #0: exit status 3, stdout: ${kind} says, stderr: no way\n`);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(leftovers(scratch.root, c.id, c.bundle)).toEqual([]);
    expect(order(c)).toEqual(['poststop']);
  });

  it('kills a hook at its timeout and fails create', () => {
    const c = makeCase(['true'], (out) => ({ createRuntime: [hook('createRuntime', out, 'sleep 30', { timeout: 1 })] }));
    const started = Date.now();
    const r = cista(scratch.root, ['create', '--bundle', c.bundle, c.id]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('error running createRuntime hook #0: timed out after 1s, killed');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(leftovers(scratch.root, c.id, c.bundle)).toEqual([]);

    // The init enforces createContainer's timeout itself.
    const d = makeCase(['true'], (out) => ({ createContainer: [hook('createContainer', out, 'sleep 30', { timeout: 1 })] }));
    const s = cista(scratch.root, ['create', '--bundle', d.bundle, d.id]);
    expect(s.stderr).toContain('error running createContainer hook #0: timed out after 1s, killed');
    expect(leftovers(scratch.root, d.id, d.bundle)).toEqual([]);
  });

  it('fails start when a startContainer hook fails: the process never runs, and no poststart', () => {
    const c = makeCase(['sh', '-c', 'echo ran > /out/process'], (out) => ({
      startContainer: [hook('startContainer', out, 'echo broken >&2; exit 5')],
      poststart: [hook('poststart', out)],
      poststop: [hook('poststop', out)],
    }));
    expect(cista(scratch.root, ['create', '--bundle', c.bundle, c.id]).code).toBe(0);
    const r = cista(scratch.root, ['start', c.id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cista: error running startContainer hook #0: exit status 5, stdout: , stderr: broken\n');
    expect(JSON.parse(cista(scratch.root, ['state', c.id]).stdout).status).toBe('stopped');
    expect(fs.existsSync(path.join(c.out, 'process'))).toBe(false);
    expect(cista(scratch.root, ['delete', c.id]).code).toBe(0);
    expect(order(c)).toEqual(['poststop']);
  });

  it('only warns when a poststart or poststop hook fails, runs the next ones, and logs the warning', () => {
    const c = makeCase(['sleep', '1000'], (out) => ({
      poststart: [{ path: '/bin/false' }, hook('poststart', out)],
      poststop: [hook('poststop', out, 'exit 9'), hook('poststop', out)],
    }));
    const log = path.join(c.out, 'cista.log');
    expect(cista(scratch.root, ['create', '--bundle', c.bundle, c.id]).code).toBe(0);
    const started = cista(scratch.root, ['--log', log, '--log-format', 'json', 'start', c.id]);
    expect(started).toMatchObject({ code: 0, stderr: 'cista: warning: error running poststart hook #0: exit status 1, stdout: , stderr: \n' });
    expect(JSON.parse(cista(scratch.root, ['state', c.id]).stdout).status).toBe('running');
    const logged = JSON.parse(fs.readFileSync(log, 'utf8').trim());
    expect(logged).toMatchObject({ level: 'warning', msg: 'error running poststart hook #0: exit status 1, stdout: , stderr: ' });

    const deleted = cista(scratch.root, ['delete', '--force', c.id]);
    expect(deleted).toMatchObject({ code: 0, stderr: 'cista: warning: error running poststop hook #0: exit status 9, stdout: , stderr: \n' });
    expect(order(c)).toEqual(['poststart', 'poststop']);
    expect(leftovers(scratch.root, c.id, c.bundle)).toEqual([]);
  });

  it('runs poststop when a container that never started is deleted', () => {
    const c = makeCase(['true'], (out) => ({ poststop: [hook('poststop', out)] }));
    expect(cista(scratch.root, ['create', '--bundle', c.bundle, c.id]).code).toBe(0);
    expect(cista(scratch.root, ['delete', '--force', c.id])).toMatchObject({ code: 0, stderr: '' });
    expect(order(c)).toEqual(['poststop']);
    expect(readState(c, 'poststop')).toMatchObject({ id: c.id, status: 'stopped' });
  });
});
