// Rootless cista on cgroup v2: an ordinary user (made in the guest, whose /etc is thrown away) runs
// what `cista spec --rootless` writes, once from a cgroup subtree delegated to it (the container gets
// its own cgroup there, and its pids limit), once without one (no cgroup, and a limit is refused).
// Called from devices-v2.js so that the slow VM starts one node process.
'use strict';
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '../..');
const USER = 'cista-rootless';

function sh(command, args) {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${command} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** `cista ARGS` as the user, started by a root shell that first puts itself into `cgroup` (if any). */
function asUser(user, cgroup, args) {
  const env = `HOME=${user.home} USER=${USER} XDG_RUNTIME_DIR=${user.runtimeDir} PATH=/usr/bin:/bin`;
  const enter = cgroup ? `echo $$ > ${cgroup}/cgroup.procs && ` : '';
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const script = `${enter}exec setpriv --reuid=${user.uid} --regid=${user.gid} --clear-groups env -i ${env} ${repo}/bin/cista ${quoted}`;
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

/** Makes `dir` a cgroup the user may create cgroups in and move processes within (cgroup v2 delegation). */
function delegate(dir, user) {
  fs.mkdirSync(dir);
  for (const file of ['', 'cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads']) fs.chownSync(path.join(dir, file), user.uid, user.gid);
}

function runRootlessV2Checks() {
  const scratch = fs.mkdtempSync('/tmp/cista-rootless-');
  fs.chmodSync(scratch, 0o755);
  sh('useradd', ['--no-create-home', '--home-dir', path.join(scratch, 'home'), USER]);
  const user = {
    uid: Number(sh('id', ['-u', USER]).trim()),
    gid: Number(sh('id', ['-g', USER]).trim()),
    home: path.join(scratch, 'home'),
    runtimeDir: path.join(scratch, 'run'),
  };
  for (const dir of [user.home, user.runtimeDir]) {
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chownSync(dir, user.uid, user.gid);
  }
  const delegated = `/sys/fs/cgroup/cista-delegated-${process.pid}`;
  try {
    const bundle = path.join(scratch, 'bundle');
    const made = spawnSync(path.join(repo, 'scripts/example-bundle.sh'), [bundle], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    fs.rmSync(path.join(bundle, 'config.json'));
    sh('chown', ['-R', `${user.uid}:${user.gid}`, bundle]);
    assert.equal(asUser(user, null, ['spec', '--rootless', '--bundle', bundle]).status, 0);
    const configFile = path.join(bundle, 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    config.process.terminal = false;
    config.process.args = ['sh', '-c', 'cat /proc/self/cgroup; cat /sys/fs/cgroup/pids.max 2>&1'];
    config.linux.resources = { pids: { limit: 20 } };
    fs.writeFileSync(configFile, JSON.stringify(config));

    // Delegated: the runtime runs in a leaf of the subtree; the container's cgroup is its sibling.
    delegate(delegated, user);
    delegate(`${delegated}/runtime`, user);
    const run = asUser(user, `${delegated}/runtime`, ['run', '--bundle', bundle, 'r1']);
    assert.equal(run.status, 0, run.output);
    assert.deepEqual(run.output.trim().split('\n'), [`0::${delegated.slice('/sys/fs/cgroup'.length)}/r1`, '20']);
    assert.equal(fs.existsSync(`${delegated}/r1`), false);

    // Not delegated: a limit is refused with its field named; without it the container runs without a cgroup.
    const refused = asUser(user, null, ['run', '--bundle', bundle, 'r2']);
    assert.equal(refused.status, 1);
    assert.match(refused.output, /^cista: config\.json: \/linux\/resources\/pids\/limit: cannot set this limit: cista runs rootless \(uid \d+\) and cannot create the container's cgroup \/sys\/fs\/cgroup\/\S*r2: /);
    delete config.linux.resources;
    config.process.args = ['sh', '-c', 'ls /sys/fs/cgroup | wc -l'];
    fs.writeFileSync(configFile, JSON.stringify(config));
    const without = asUser(user, null, ['run', '--bundle', bundle, 'r2']);
    assert.deepEqual(without, { status: 0, output: '0\n' });
    console.log('ok - rootless on cgroup v2: a delegated subtree is used, and without one a limit is refused');
  } finally {
    for (const dir of [`${delegated}/runtime`, delegated]) {
      try {
        fs.rmdirSync(dir);
      } catch {
        // Not made, or already gone.
      }
    }
    spawnSync('userdel', [USER]);
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

module.exports = { runRootlessV2Checks };
