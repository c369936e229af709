// The systemd cgroup driver against a real systemd 252 (PID 1, D-Bus system bus) on a cgroup2-only
// kernel: run inside `cg2vm --systemd` by test/cg2vm/run.sh after the build. Containers created
// with --systemd-cgroup become transient scopes; systemctl (allowed in tests) reads back what cista
// asked systemd for. One node process does everything (Node is about 15x slower in the VM); the
// last check is that no unit, cgroup or process of the test is left.
'use strict';
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '../..');
const { cistaIn } = require('./resources-v2');
const { runClients } = require('./clients-systemd');

function prerequisitesMissing() {
  const missing = [];
  if (process.getuid() !== 0) missing.push('root');
  if (!fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) missing.push('cgroup2 at /sys/fs/cgroup');
  if (!fs.existsSync('/run/systemd/system')) missing.push('systemd as PID 1 (cg2vm --systemd)');
  for (const command of ['systemctl', 'podman', 'containerd', 'ctr', 'dockerd', 'docker']) {
    if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) missing.push(command);
  }
  for (const file of ['build/Release/cista_systemd.node', 'dist/cli/cista.js']) {
    if (!fs.existsSync(path.join(repo, file))) missing.push(file);
  }
  return missing;
}

function systemctl(...args) {
  const r = spawnSync('systemctl', args, { encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

/** systemctl show's properties of a unit as an object. */
function show(unit, ...properties) {
  const r = systemctl('show', unit, ...properties.map((p) => `--property=${p}`));
  return Object.fromEntries(r.output.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

/** The test's units systemd still knows, in any state. */
function leftoverUnits() {
  return systemctl('list-units', '--all', '--plain', '--no-legend', 'cista*', 'sdtest*')
    .output.split('\n')
    .map((line) => line.trim().split(/\s+/)[0])
    .filter((unit) => unit !== undefined && unit !== '');
}

const read = (dir, file) => fs.readFileSync(path.join(dir, file), 'utf8').trim();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One busybox bundle whose rootfs every bundle of the test uses: made on the host by run.sh and
 * shared read-only (CISTA_CG2VM_BASE_BUNDLE; making it in the VM takes 30-80 s), else made here.
 */
function baseBundle(scratch) {
  if (process.env.CISTA_CG2VM_BASE_BUNDLE !== undefined) return process.env.CISTA_CG2VM_BASE_BUNDLE;
  const base = path.join(scratch, 'base');
  const made = spawnSync(path.join(repo, 'scripts/example-bundle.sh'), [base, 'sleep', '1000'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  return base;
}

/** A bundle whose config is the base's, edited, with its root pointing at the base's rootfs. */
function makeBundle(base, scratch, name, edit) {
  const config = JSON.parse(fs.readFileSync(path.join(base, 'config.json'), 'utf8'));
  config.root.path = path.join(base, 'rootfs');
  edit(config);
  const bundle = path.join(scratch, name);
  fs.mkdirSync(bundle);
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(config));
  return bundle;
}

/** A scope with limits: properties, the init's cgroup, exec, update, pause/resume, kill --all, delete. */
function limitedContainer(base, scratch, cista) {
  const id = 'sdlimits';
  const unit = `cista-${id}.scope`;
  const dir = `/sys/fs/cgroup/system.slice/${unit}`;
  const bundle = makeBundle(base, scratch, id, (config) => {
    config.linux.cgroupsPath = `system.slice:cista:${id}`;
    config.linux.resources = {
      ...config.linux.resources,
      memory: { limit: 67108864 },
      pids: { limit: 30 },
      cpu: { shares: 1024, quota: 50000, period: 100000 },
    };
  });
  assert.deepEqual(cista('--systemd-cgroup', 'create', '--bundle', bundle, id), { status: 0, output: '' });
  assert.deepEqual(show(unit, 'ActiveState', 'ControlGroup', 'Delegate', 'MemoryMax', 'TasksMax', 'CPUQuotaPerSecUSec', 'CPUQuotaPeriodUSec', 'CPUWeight'), {
    ActiveState: 'active',
    ControlGroup: `/system.slice/${unit}`,
    Delegate: 'yes',
    MemoryMax: '67108864',
    TasksMax: '30',
    CPUQuotaPerSecUSec: '500ms',
    CPUQuotaPeriodUSec: '100ms',
    CPUWeight: '39',
  });
  assert.equal(read(dir, 'memory.max'), '67108864');
  assert.equal(read(dir, 'pids.max'), '30');
  assert.equal(read(dir, 'cpu.max'), '50000 100000');
  const pid = JSON.parse(cista('state', id).output).pid;
  assert.equal(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'), `0::/system.slice/${unit}\n`);
  assert.equal(cista('start', id).status, 0);
  console.log('ok - a container with limits is the scope cista-ID.scope in system.slice, with its properties');

  assert.deepEqual(cista('exec', '--detach', id, 'sleep', '999'), { status: 0, output: '' });
  const pids = JSON.parse(cista('ps', '--format', 'json', id).output);
  assert.equal(pids.length, 2);
  for (const p of pids) assert.equal(fs.readFileSync(`/proc/${p}/cgroup`, 'utf8'), `0::/system.slice/${unit}\n`);
  console.log('ok - an exec\'d process joins the scope');

  assert.deepEqual(cista('update', '--memory', '134217728', '--pids-limit', '40', '--cpu-quota', '25000', id), { status: 0, output: '' });
  assert.deepEqual(show(unit, 'MemoryMax', 'TasksMax', 'CPUQuotaPerSecUSec'), { MemoryMax: '134217728', TasksMax: '40', CPUQuotaPerSecUSec: '250ms' });
  assert.equal(read(dir, 'memory.max'), '134217728');
  assert.equal(read(dir, 'pids.max'), '40');
  console.log('ok - update changes the unit\'s properties and the files');

  // The scope's files, read by the cgroupfs v2 driver under the systemd one.
  const stats = JSON.parse(cista('events', '--stats', id).output).data;
  assert.equal(stats.memory.usage.limit, 134217728);
  assert.deepEqual(stats.pids, { current: 2, limit: 40 });
  console.log('ok - events --stats reads the scope\'s usage');

  assert.equal(cista('pause', id).status, 0);
  assert.equal(JSON.parse(cista('state', id).output).status, 'paused');
  assert.equal(read(dir, 'cgroup.freeze'), '1');
  assert.match(read(dir, 'cgroup.events'), /^frozen 1$/m);
  assert.equal(cista('resume', id).status, 0);
  assert.equal(JSON.parse(cista('state', id).output).status, 'running');
  assert.match(read(dir, 'cgroup.events'), /^frozen 0$/m);
  console.log('ok - pause and resume freeze and thaw the scope');

  // kill --all empties the scope; systemd then lets it go by itself, and delete copes with that.
  assert.equal(cista('kill', '--all', id, 'KILL').status, 0);
  for (let i = 0; i < 100 && fs.existsSync(`/proc/${pid}`); i++) spawnSync('sleep', ['0.2']);
  assert.equal(JSON.parse(cista('state', id).output).status, 'stopped');
  assert.deepEqual(cista('delete', id), { status: 0, output: '' });
  assert.deepEqual(leftoverUnits(), []);
  assert.equal(fs.existsSync(dir), false);
  console.log('ok - kill --all, then delete leaves no unit');
}

/** runc's default cgroupsPath, a nested slice cista starts and stops again, delete --force of a running container. */
function defaultAndNestedSlices(base, scratch, cista) {
  const plain = makeBundle(base, scratch, 'sddefault', (config) => delete config.linux.cgroupsPath);
  assert.deepEqual(cista('--systemd-cgroup', 'run', '--detach', '--bundle', plain, 'sddefault'), { status: 0, output: '' });
  assert.equal(show('cista-sddefault.scope', 'ControlGroup').ControlGroup, '/system.slice/cista-sddefault.scope');
  assert.deepEqual(cista('delete', '--force', 'sddefault'), { status: 0, output: '' });

  const nested = makeBundle(base, scratch, 'sdnested', (config) => (config.linux.cgroupsPath = 'sdtest-a-b.slice:cista:sdnested'));
  assert.deepEqual(cista('--systemd-cgroup', 'run', '--detach', '--bundle', nested, 'sdnested'), { status: 0, output: '' });
  const cgroup = '/sdtest.slice/sdtest-a.slice/sdtest-a-b.slice/cista-sdnested.scope';
  assert.equal(show('cista-sdnested.scope', 'ControlGroup').ControlGroup, cgroup);
  const pid = JSON.parse(cista('state', 'sdnested').output).pid;
  assert.equal(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'), `0::${cgroup}\n`);
  assert.deepEqual(cista('delete', '--force', 'sdnested'), { status: 0, output: '' });
  assert.deepEqual(leftoverUnits(), []);
  assert.equal(fs.existsSync('/sys/fs/cgroup/sdtest.slice'), false);
  console.log('ok - the default path and a nested slice, which delete stops again');
}

/** Values systemd or cista refuse: one line naming the field, nothing left. */
function refusals(base, scratch, cista) {
  const bad = makeBundle(base, scratch, 'sdbad', (config) => {
    config.linux.cgroupsPath = 'system.slice:cista:sdbad';
    // runc maps unified cpu.weight onto CPUWeight, which systemd keeps to 1-10000.
    config.linux.resources = { ...config.linux.resources, unified: { 'cpu.weight': '20000' } };
  });
  const refused = cista('--systemd-cgroup', 'create', '--bundle', bad, 'sdbad');
  assert.equal(refused.status, 1);
  assert.match(refused.output, /^cista: config\.json: \/linux\/resources\/unified\/cpu\.weight: systemd refuses CPUWeight: .*CPUWeight.*\n$/);
  const badPath = makeBundle(base, scratch, 'sdbadpath', (config) => (config.linux.cgroupsPath = '/not/systemd/form'));
  const refusedPath = cista('--systemd-cgroup', 'create', '--bundle', badPath, 'sdbadpath');
  assert.equal(refusedPath.status, 1);
  assert.match(refusedPath.output, /^cista: config\.json: \/linux\/cgroupsPath: "\/not\/systemd\/form" is not three fields/);
  assert.deepEqual(JSON.parse(cista('list', '--format', 'json').output), []);
  assert.deepEqual(leftoverUnits(), []);
  console.log('ok - a value systemd refuses and a bad cgroupsPath are one clear line, leaving nothing');
}

/** A create killed at points spread over its run: delete --force removes the scope and all. */
async function crashes(base, scratch, cista, stateRoot) {
  const bundle = makeBundle(base, scratch, 'sdcrash', (config) => (config.linux.cgroupsPath = 'sdtest-crash.slice:cista:sdcrash'));
  for (const delay of [1000, 2500, 4000]) {
    const child = spawn(path.join(repo, 'bin/cista'), ['--root', stateRoot, '--systemd-cgroup', 'create', '--bundle', bundle, 'sdcrash'], { stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delay);
    await new Promise((resolve) => child.on('exit', resolve));
    clearTimeout(timer);
    await sleep(300);
    assert.deepEqual(cista('delete', '--force', 'sdcrash'), { status: 0, output: '' }, `delete --force after a create killed at ${delay} ms`);
    assert.deepEqual(leftoverUnits(), [], `units after a create killed at ${delay} ms`);
    assert.equal(fs.existsSync('/sys/fs/cgroup/sdtest.slice'), false, `cgroups after a create killed at ${delay} ms`);
  }
  console.log('ok - delete --force after a create killed at any point');
}

function assertNothingLeft(stateRoot) {
  assert.deepEqual(leftoverUnits(), []);
  assert.deepEqual(systemctl('list-units', '--all', '--plain', '--no-legend', 'libpod*', 'docker-*').output.trim(), '');
  const cgroups = fs.readdirSync('/sys/fs/cgroup/system.slice').filter((name) => name.startsWith('cista-'));
  assert.deepEqual(cgroups, []);
  assert.equal(fs.existsSync('/sys/fs/cgroup/sdtest.slice'), false);
  const sleepers = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout.split('\n').filter((args) => /^sleep (1000|999)$|conmon|containerd --config|-namespace cista-test|dockerd/.test(args.trim()));
  assert.deepEqual(sleepers, []);
  assert.deepEqual(fs.existsSync(stateRoot) ? fs.readdirSync(stateRoot) : [], []);
  console.log('ok - no unit, cgroup or process of the test is left');
}

async function main() {
  const missing = prerequisitesMissing();
  if (missing.length > 0) throw new Error(`missing prerequisites: ${missing.join(', ')}`);
  const scratch = fs.mkdtempSync('/tmp/cista-systemd-');
  const stateRoot = path.join(scratch, 'state');
  const cista = cistaIn(scratch);
  const timed = async (step) => {
    const started = Date.now();
    await step();
    console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  };
  try {
    const base = baseBundle(scratch);
    await timed(() => limitedContainer(base, scratch, cista));
    await timed(() => defaultAndNestedSlices(base, scratch, cista));
    await timed(() => refusals(base, scratch, cista));
    await timed(() => crashes(base, scratch, cista, stateRoot));
    await timed(() => runClients(path.join(base, 'rootfs'), scratch));
  } finally {
    for (const id of ['sdlimits', 'sddefault', 'sdnested', 'sdbad', 'sdbadpath', 'sdcrash']) cista('delete', '--force', id);
  }
  assertNothingLeft(stateRoot);
  fs.rmSync(scratch, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(`not ok - ${error.stack ?? error}`);
  process.exit(1);
});
