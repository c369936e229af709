import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SpawnSyncOptions } from 'node:child_process';

import { type CommandResult, exec } from './cli';

/**
 * An ordinary user made for one test file (useradd), with a home and an $XDG_RUNTIME_DIR below
 * `dir`, and optionally subordinate id ranges (/etc/subuid, /etc/subgid); remove() deletes all of it.
 */
export class TestUser {
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly runtimeDir: string;

  private constructor(
    readonly name: string,
    dir: string,
  ) {
    const [uid, gid] = TestUser.ids(name);
    this.uid = uid;
    this.gid = gid;
    this.home = path.join(dir, 'home');
    this.runtimeDir = path.join(dir, 'run');
    for (const d of [this.home, this.runtimeDir]) {
      fs.mkdirSync(d, { mode: 0o700 });
      fs.chownSync(d, uid, gid);
    }
  }

  private static ids(name: string): [number, number] {
    const r = exec('id', ['-u', name]);
    const g = exec('id', ['-g', name]);
    if (r.code !== 0 || g.code !== 0) throw new Error(`id ${name}: ${r.stderr}${g.stderr}`);
    return [Number(r.stdout.trim()), Number(g.stdout.trim())];
  }

  /** A new user `name` (one left by an interrupted run is replaced) whose files live in `dir` (made reachable). */
  static create(name: string, dir: string): TestUser {
    if (exec('id', [name]).code === 0) TestUser.removeUser(name);
    const made = exec('useradd', ['--no-create-home', '--home-dir', path.join(dir, 'home'), '--shell', '/bin/sh', name]);
    if (made.code !== 0) throw new Error(`useradd ${name}: ${made.stderr}`);
    // useradd may have given the user a default range already: only the test's own ranges count.
    TestUser.dropSubordinateIds(name);
    fs.chmodSync(dir, 0o755);
    return new TestUser(name, dir);
  }

  /** Adds `count` subordinate uids and gids starting at `first` (newuidmap/newgidmap read them). */
  addSubordinateIds(first: number, count: number): void {
    for (const file of ['/etc/subuid', '/etc/subgid']) fs.appendFileSync(file, `${this.name}:${first}:${count}\n`);
  }

  /** The environment a login of the user would have, with `extra` added. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
      HOME: this.home,
      USER: this.name,
      LOGNAME: this.name,
      XDG_RUNTIME_DIR: this.runtimeDir,
      ...extra,
    };
  }

  /** Runs a command as the user (setgroups to none, then its gid and uid). */
  run(file: string, args: string[], options: SpawnSyncOptions = {}): CommandResult {
    return exec(file, args, { cwd: '/', env: this.env(), ...options, uid: this.uid, gid: this.gid });
  }

  remove(): void {
    TestUser.removeUser(this.name);
  }

  private static dropSubordinateIds(name: string): void {
    for (const file of ['/etc/subuid', '/etc/subgid']) {
      if (!fs.existsSync(file)) continue;
      const kept = fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith(`${name}:`));
      fs.writeFileSync(file, kept.map((line) => `${line}\n`).join(''));
    }
  }

  private static removeUser(name: string): void {
    const r = exec('userdel', [name]);
    if (r.code !== 0) throw new Error(`userdel ${name}: ${r.stderr}`);
    TestUser.dropSubordinateIds(name);
  }
}
