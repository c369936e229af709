// The cgroup v2 driver on a real cgroup2-only kernel: run inside cg2vm by test/cg2vm/run.sh after the
// build (dist/ and build/Release). First the driver alone, then whole containers run by the CLI
// (resources-v2.js: one with resource limits; rootless-v2.js: an ordinary user's; apparmor.js: one
// confined by an AppArmor profile, as the guest kernel has AppArmor).
// Plain CommonJS so that one quick node process does everything inside the slow VM.
'use strict';
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const { once } = require('node:events');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '../..');
const addonPath = path.join(repo, 'build/Release/cista.node');
const cgroupsModule = path.join(repo, 'dist/engine/cgroups/index.js');

function prerequisitesMissing() {
  const missing = [];
  if (process.getuid() !== 0) missing.push('root');
  if (!fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) missing.push('cgroup2 at /sys/fs/cgroup');
  if (!fs.existsSync(addonPath)) missing.push(addonPath);
  if (!fs.existsSync(cgroupsModule)) missing.push(cgroupsModule);
  return missing;
}

/** A shell that waits for a line on stdin, then reports which of /dev/null and /dev/zero it could read. */
function spawnDeviceProbe() {
  return spawn('sh', [
    '-c',
    'read go; for d in null zero; do if head -c 1 /dev/$d >/dev/zero 2>&1; then echo $d:ok; else echo $d:denied; fi; done',
  ]);
}

async function runCase(cgroups, addon, name, rules) {
  const manager = cgroups.openCgroupManager(
    { containerId: name, cgroupsPath: `/cista-test-${process.pid}/${name}` },
    { loadDeviceFilter: addon.loadDeviceFilter },
  );
  assert.equal(manager.driver, 'v2');
  const dir = manager.paths[''];
  assert.equal(dir, `/sys/fs/cgroup/cista-test-${process.pid}/${name}`);
  const probe = spawnDeviceProbe();
  try {
    manager.create(probe.pid, rules, { writes: [], unitProperties: [] });
    manager.join(probe.pid);
    assert.ok(fs.statSync(dir).isDirectory());
    assert.equal(fs.readFileSync(`/proc/${probe.pid}/cgroup`, 'utf8'), `0::/cista-test-${process.pid}/${name}\n`);
    assert.deepEqual(manager.pids(), [probe.pid]);
    assert.deepEqual(cgroups.reopenCgroupManager(manager.record()).pids(), [probe.pid]);
    let output = '';
    probe.stdout.on('data', (chunk) => (output += chunk));
    probe.stdin.write('go\n');
    await once(probe, 'exit');
    assert.deepEqual(output.trim().split('\n'), ['null:denied', 'zero:ok'], `${name}: device access`);
  } finally {
    if (probe.exitCode === null && probe.signalCode === null) probe.kill('SIGKILL');
    manager.destroy();
  }
  assert.equal(fs.existsSync(dir), false);
  assert.equal(fs.existsSync(path.dirname(dir)), false);
  console.log(`ok - ${name}`);
}

async function main() {
  const missing = prerequisitesMissing();
  if (missing.length > 0) {
    // Under CI a missing prerequisite is a failure, never a silent skip.
    if (process.env.CI === 'true') throw new Error(`missing prerequisites: ${missing.join(', ')}`);
    console.log(`skip - missing prerequisites: ${missing.join(', ')}`);
    return;
  }
  const cgroups = require(cgroupsModule);
  const addon = require(addonPath);
  assert.equal(typeof addon.loadDeviceFilter, 'function');
  const denyAll = { allow: false, type: 'a', major: null, minor: null, access: 'rwm' };
  const withoutNull = cgroups.defaultAllowedDevices().filter((rule) => !(rule.major === 1 && rule.minor === 3));
  await runCase(cgroups, addon, 'default-list-without-null', [denyAll, ...withoutNull]);
  await runCase(cgroups, addon, 'allow-all-but-null', [{ ...denyAll, allow: true }, { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }]);
  await runCase(cgroups, addon, 'read-only-null', [
    denyAll,
    ...withoutNull,
    { allow: true, type: 'c', major: 1, minor: 3, access: 'w' },
  ]);
}

/** A busybox container run by the real CLI: the driver, the eBPF filter and the cgroup mount together. */
function runContainer() {
  const scratch = fs.mkdtempSync('/tmp/cista-cg2-');
  try {
    const bundle = path.join(scratch, 'bundle');
    const script = [
      'head -c 1 /dev/null >/dev/null && echo null:ok',
      'head -c 1 /dev/kmsg >/dev/null 2>&1 && echo kmsg:ok || echo kmsg:denied',
      'ls /sys/fs/cgroup/cgroup.procs',
    ].join('; ');
    const made = spawnSync(path.join(repo, 'scripts/example-bundle.sh'), [bundle, 'sh', '-c', script], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const configFile = path.join(bundle, 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    // The host's /dev/kmsg (c 1:11) bound in but not in the device allow list: the filter must refuse it.
    config.mounts.push({ destination: '/dev/kmsg', type: 'bind', source: '/dev/kmsg', options: ['bind'] });
    config.linux.cgroupsPath = `/cista-cli-test-${process.pid}`;
    fs.writeFileSync(configFile, JSON.stringify(config));
    const cista = require('./resources-v2').cistaIn(scratch);
    const created = cista('create', '--bundle', bundle, 'v2c');
    assert.equal(created.output, '');
    const pid = JSON.parse(cista('state', 'v2c').output).pid;
    assert.equal(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'), `0::/cista-cli-test-${process.pid}\n`);
    assert.equal(cista('delete', '--force', 'v2c').status, 0);
    const run = cista('run', '--bundle', bundle, 'v2c');
    assert.equal(run.status, 0);
    assert.deepEqual(run.output.trim().split('\n'), ['null:ok', 'kmsg:denied', '/sys/fs/cgroup/cgroup.procs']);
    assert.equal(fs.existsSync(`/sys/fs/cgroup/cista-cli-test-${process.pid}`), false);
    console.log('ok - a container run by the CLI');

    // pause/resume through cgroup.freeze; delete --force of a paused container thaws it to kill it.
    config.process.args = ['sleep', '1000'];
    fs.writeFileSync(configFile, JSON.stringify(config));
    assert.equal(cista('run', '--detach', '--bundle', bundle, 'v2p').status, 0);
    const freeze = `/sys/fs/cgroup/cista-cli-test-${process.pid}/cgroup.freeze`;
    assert.equal(cista('pause', 'v2p').status, 0);
    assert.equal(JSON.parse(cista('state', 'v2p').output).status, 'paused');
    assert.equal(fs.readFileSync(freeze, 'utf8').trim(), '1');
    assert.equal(cista('resume', 'v2p').status, 0);
    assert.equal(fs.readFileSync(freeze, 'utf8').trim(), '0');
    assert.equal(cista('pause', 'v2p').status, 0);
    assert.equal(cista('delete', '--force', 'v2p').status, 0);
    assert.equal(fs.existsSync(path.dirname(freeze)), false);
    console.log('ok - pause and resume');
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main()
  .then(async () => {
    if (process.exitCode === undefined && fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) {
      runContainer();
      require('./resources-v2').runResourcesContainer();
      await require('./resources-v2').runEventsOom();
      require('./rootless-v2').runRootlessV2Checks();
      require('./apparmor').runAppArmorChecks();
      await require('./shim-v2').runShimV2Checks();
    }
  })
  .catch((error) => {
    console.error(`not ok - ${error.stack ?? error}`);
    process.exit(1);
  });
