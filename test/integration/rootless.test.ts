// cista run by an ordinary user: runc's rootless mode, on this host (no cgroup is writable by the user).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, editConfig, Scratch } from '../helpers/bundle';
import { CISTA, type CommandResult, REPO, exec } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';
import { TestUser } from '../helpers/test-user';

const USER = 'cista-rootless';
/** The user's subordinate ids: far above any real user's. */
const SUBORDINATE_FIRST = 1_400_000_000;

let scratch: Scratch;
let user: TestUser;
let stateRoot: string;

/** cista as the user, with its default --root ($XDG_RUNTIME_DIR/cista). */
function cista(args: string[]): CommandResult {
  return user.run(CISTA, args);
}

/** A bundle the user owns, written by `cista spec --rootless` run as the user, then edited. */
function rootlessBundle(name: string, args: string[], edit: (c: Config) => void = () => {}): string {
  const dir = path.join(scratch.dir, name);
  const made = exec(path.join(REPO, 'scripts', 'example-bundle.sh'), [dir]);
  if (made.code !== 0) throw new Error(`example-bundle.sh failed: ${made.stderr}`);
  fs.rmSync(path.join(dir, 'config.json'));
  exec('chown', ['-R', `${user.uid}:${user.gid}`, dir]);
  const spec = cista(['spec', '--rootless', '--bundle', dir]);
  expect(spec.stderr).toBe('');
  editConfig(dir, (c) => {
    c.process.terminal = false;
    c.process.args = args;
    edit(c);
  });
  return dir;
}

function expectClean(id: string, bundle: string): void {
  expect(leftovers(stateRoot, id, bundle)).toEqual([]);
}

beforeAll(() => {
  requireRoot();
  requireFile('/usr/bin/newuidmap', 'newuidmap (Debian package uidmap) maps subordinate ids');
  scratch = new Scratch('rootless');
  user = TestUser.create(USER, scratch.dir);
  stateRoot = path.join(user.runtimeDir, 'cista');
});
afterAll(() => {
  user?.remove();
  scratch?.cleanup();
});

describe('cista as an ordinary user', () => {
  it('runs what `cista spec --rootless` writes, as root of a user namespace that maps only the user', () => {
    const bundle = rootlessBundle('plain', ['sh', '-c', 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; ls /sys/fs/cgroup | wc -l']);
    const r = cista(['run', '--bundle', bundle, 'plain']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual([
      '0',
      '0',
      `0 ${user.uid} 1`,
      `0 ${user.gid} 1`,
      // No cgroup of its own: the cgroup mount is an empty tmpfs, as runc masks it.
      '0',
      '',
    ]);
    expectClean('plain', bundle);
  });

  it('keeps its state in $XDG_RUNTIME_DIR/cista, and create, start, exec, kill and delete work', () => {
    const bundle = rootlessBundle('life', ['sleep', '1000']);
    expect(cista(['create', '--bundle', bundle, 'life']).stderr).toBe('');
    expect(fs.statSync(path.join(stateRoot, 'life', 'state.json')).uid).toBe(user.uid);
    expect(cista(['start', 'life']).code).toBe(0);
    const inside = cista(['exec', 'life', 'sh', '-c', 'id -u; ps -o pid,comm | grep -c sleep']);
    expect(inside.stderr).toBe('');
    expect(inside.stdout).toBe('0\n1\n');
    expect(JSON.parse(cista(['state', 'life']).stdout).status).toBe('running');
    expect(cista(['kill', 'life', 'KILL']).code).toBe(0);
    const deleted = cista(['delete', '--force', 'life']);
    expect(deleted.stderr).toBe('');
    expectClean('life', bundle);
  });

  it('maps subordinate ids through newuidmap and newgidmap', () => {
    user.addSubordinateIds(SUBORDINATE_FIRST, 65536);
    const bundle = rootlessBundle('ranges', ['sh', '-c', 'cat /proc/self/uid_map /proc/self/gid_map; id'], (c) => {
      c.linux.uidMappings.push({ containerID: 1, hostID: SUBORDINATE_FIRST, size: 65536 });
      c.linux.gidMappings.push({ containerID: 1, hostID: SUBORDINATE_FIRST, size: 65536 });
      c.process.user = { uid: 1000, gid: 1000, additionalGids: [1001] };
    });
    const r = cista(['run', '--bundle', bundle, 'ranges']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual([
      `0 ${user.uid} 1`,
      `1 ${SUBORDINATE_FIRST} 65536`,
      `0 ${user.gid} 1`,
      `1 ${SUBORDINATE_FIRST} 65536`,
      'uid=1000 gid=1000 groups=1001',
      '',
    ]);
    expectClean('ranges', bundle);
  });

  it.each([
    [
      'a config without a user namespace',
      (c: Config) => {
        c.linux.namespaces = c.linux.namespaces.filter((ns: { type: string }) => ns.type !== 'user');
        delete c.linux.uidMappings;
        delete c.linux.gidMappings;
      },
      `cista: config.json: /linux/namespaces: cista runs as uid UID, not root, so the container needs a user namespace: add {"type": "user"} with /linux/uidMappings and /linux/gidMappings (\`cista spec --rootless\` writes such a config)\n`,
    ],
    [
      'a resource limit without a cgroup the user may create',
      (c: Config) => {
        c.linux.resources = { pids: { limit: 10 } };
      },
      /^cista: config\.json: \/linux\/resources\/pids\/limit: cannot set this limit: cista runs rootless \(uid \d+\) and cannot create the container's cgroup \/sys\/fs\/cgroup\/\S*refused: delegate a writable cgroup subtree to the user, or remove the limit\n$/,
    ],
    [
      'a hard rlimit above the user\'s own',
      (c: Config) => {
        c.process.rlimits = [{ type: 'RLIMIT_NOFILE', hard: 2 ** 40, soft: 1024 }];
      },
      /^cista: config\.json: \/process\/rlimits\/0\/hard: raising RLIMIT_NOFILE to 1099511627776 needs CAP_SYS_RESOURCE on the host, which rootless cista lacks: use at most \d+ \(its own hard limit\)\n$/,
    ],
    [
      'a lower oom_score_adj',
      (c: Config) => {
        c.process.oomScoreAdj = -1000;
      },
      /^cista: config\.json: \/process\/oomScoreAdj: lowering it to -1000 needs CAP_SYS_RESOURCE on the host, which cista \(oom_score_adj (-?\d+)\) lacks: use a value of at least \1\n$/,
    ],
    [
      'additional groups when setgroups is denied',
      (c: Config) => {
        c.process.user.additionalGids = [0];
      },
      'cista: config.json: /process/user/additionalGids: cannot be set in a rootless container whose gid map is only the caller\'s own gid (setgroups is denied there): map a range from /etc/subgid instead\n',
    ],
  ])('refuses %s, saying what to do, and leaves nothing behind', (_what, edit, message) => {
    const bundle = rootlessBundle('refused', ['true'], edit);
    const r = cista(['run', '--bundle', bundle, 'refused']);
    expect(r.code).toBe(1);
    if (typeof message === 'string') expect(r.stderr).toBe(message.replaceAll('UID', String(user.uid)));
    else expect(r.stderr).toMatch(message);
    expectClean('refused', bundle);
    fs.rmSync(bundle, { recursive: true });
  });
});
