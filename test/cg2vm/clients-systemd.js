// Real clients that ask for the systemd cgroup driver, with cista as their runtime, inside
// `cg2vm --systemd`: Podman 4.3 with --cgroup-manager=systemd, containerd 1.6's runc shim with
// SystemdCgroup and BinaryName set (through ctr's --runc-systemd-cgroup and --runc-binary, which set
// those two shim options), and Docker 20.10 with native.cgroupdriver=systemd. Called from systemd.js, so that the slow VM starts one node process.
// Everything lives under the guest's /run (Podman's and containerd's storage cannot sit on its overlay root).
'use strict';
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '../..');
const cistaBinary = path.join(repo, 'bin/cista');

/** Runs a command; its stdout (stderr in the assertion message when it fails). */
function run(command, args, what) {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `${what ?? `${command} ${args.join(' ')}`}: ${r.stdout}${r.stderr}${r.error ?? ''}`);
  return r.stdout;
}

function show(unit, ...properties) {
  const output = run('systemctl', ['show', unit, ...properties.map((p) => `--property=${p}`)]);
  return Object.fromEntries(output.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

function units(pattern) {
  return run('systemctl', ['list-units', '--all', '--plain', '--no-legend', pattern])
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[0])
    .filter((unit) => unit !== undefined && unit !== '');
}

/** The client's `--memory 64m --pids-limit 30` as the properties of its running scope. */
function assertLimitedScope(unit, slice) {
  assert.deepEqual(show(unit, 'ActiveState', 'ControlGroup', 'MemoryMax', 'TasksMax'), {
    ActiveState: 'active',
    ControlGroup: `/${slice}/${unit}`,
    MemoryMax: '67108864',
    TasksMax: '30',
  });
}

/** An image of the busybox rootfs, imported by Podman (and saved as an OCI archive for containerd). */
function podmanImage(podman, rootfs, work) {
  const tarball = path.join(work, 'rootfs.tar');
  run('tar', ['-C', rootfs, '-cf', tarball, '.']);
  run('podman', [...podman, 'import', tarball, 'localhost/cista-busybox']);
}

/** podman run --memory --pids-limit, exec, stop, rm: the scope libpod-ID.scope in machine.slice. */
function podmanScenario(rootfs, work) {
  const podman = [
    '--root', path.join(work, 'podman-root'),
    '--runroot', path.join(work, 'podman-runroot'),
    '--storage-driver', 'vfs',
    '--events-backend', 'file',
    '--cgroup-manager', 'systemd',
    '--runtime', cistaBinary,
  ];
  podmanImage(podman, rootfs, work);
  const id = run('podman', [...podman, 'run', '-d', '--name', 'cista-sd', '--network', 'none', '--memory', '64m', '--pids-limit', '30', 'localhost/cista-busybox', 'sleep', '1000']).trim();
  const unit = `libpod-${id}.scope`;
  assertLimitedScope(unit, 'machine.slice');
  assert.equal(fs.readFileSync(`/sys/fs/cgroup/machine.slice/${unit}/memory.max`, 'utf8').trim(), '67108864');
  assert.equal(run('podman', [...podman, 'exec', 'cista-sd', 'sh', '-c', 'echo exec:ok']).trim(), 'exec:ok');
  run('podman', [...podman, 'stop', '-t', '1', 'cista-sd']);
  run('podman', [...podman, 'rm', 'cista-sd']);
  assert.deepEqual(units('libpod*'), []);
  console.log('ok - podman --cgroup-manager=systemd: run --memory --pids-limit, exec, stop, rm');
  return podman;
}

/** Starts a daemon with its output in work/NAME.log; resolves once `ready` exists. */
async function startDaemon(name, command, args, ready, work) {
  const log = fs.openSync(path.join(work, `${name}.log`), 'w');
  const daemon = spawn(command, args, { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  for (let i = 0; i < 300 && !fs.existsSync(ready) && daemon.exitCode === null; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(fs.existsSync(ready), `${name} did not start: ${fs.readFileSync(path.join(work, `${name}.log`), 'utf8')}`);
  return daemon;
}

async function stopDaemon(daemon) {
  if (daemon.exitCode !== null || daemon.signalCode !== null) return;
  const exited = new Promise((resolve) => daemon.on('exit', resolve));
  daemon.kill('SIGTERM');
  await exited;
}

/** ctr run with a memory limit, task metrics, exec, kill, delete under a containerd of the test's own. */
async function containerdScenario(podman, work) {
  const archive = path.join(work, 'busybox-oci.tar');
  run('podman', [...podman, 'save', '--format', 'oci-archive', '-o', archive, 'localhost/cista-busybox']);
  const socket = path.join(work, 'containerd.sock');
  const config = path.join(work, 'containerd.toml');
  fs.writeFileSync(
    config,
    [
      'version = 2',
      `root = "${path.join(work, 'containerd-root')}"`,
      `state = "${path.join(work, 'containerd-state')}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${socket}"`,
      '',
    ].join('\n'),
  );
  const containerd = await startDaemon('containerd', 'containerd', ['--config', config], socket, work);
  try {
    const ctr = ['--address', socket, '--namespace', 'cista-test'];
    run('ctr', [...ctr, 'image', 'import', '--base-name', 'localhost/cista-busybox', archive]);
    run('ctr', [
      ...ctr, 'run', '--detach', '--snapshotter', 'native',
      // The runc shim's BinaryName and SystemdCgroup options.
      '--runc-binary', cistaBinary, '--runc-systemd-cgroup', '--cgroup', 'system.slice:cista:ctd',
      '--memory-limit', '67108864', 'localhost/cista-busybox:latest', 'ctd', 'sleep', '1000',
    ]);
    assert.deepEqual(show('cista-ctd.scope', 'ActiveState', 'MemoryMax'), { ActiveState: 'active', MemoryMax: '67108864' });
    assert.match(run('ctr', [...ctr, 'task', 'metrics', 'ctd']), /^memory\.usage_limit\s+67108864\s*$/m);
    assert.equal(run('ctr', [...ctr, 'task', 'exec', '--exec-id', 'e1', 'ctd', 'sh', '-c', 'echo exec:ok']).trim(), 'exec:ok');
    run('ctr', [...ctr, 'task', 'kill', '--signal', 'KILL', 'ctd']);
    for (let i = 0; i < 100 && !/STOPPED/.test(run('ctr', [...ctr, 'task', 'ls'])); i++) await new Promise((resolve) => setTimeout(resolve, 200));
    run('ctr', [...ctr, 'task', 'delete', 'ctd']);
    run('ctr', [...ctr, 'container', 'delete', 'ctd']);
    assert.deepEqual(units('cista-ctd*'), []);
    console.log('ok - containerd runc shim with SystemdCgroup and BinaryName=cista: run with a memory limit, metrics, exec, kill, delete');
  } finally {
    await stopDaemon(containerd);
  }
}

/** docker run --memory --pids-limit, exec, stop, rm under a dockerd of the test's own with cista as its runtime. */
async function dockerScenario(rootfs, work) {
  const socket = path.join(work, 'docker.sock');
  const dockerd = await startDaemon(
    'dockerd',
    'dockerd',
    [
      '--data-root', path.join(work, 'docker-root'),
      '--exec-root', path.join(work, 'docker-exec'),
      '--pidfile', path.join(work, 'docker.pid'),
      '-H', `unix://${socket}`,
      '--iptables=false', '--ip6tables=false', '--bridge=none', '--storage-driver', 'vfs',
      '--exec-opt', 'native.cgroupdriver=systemd',
      '--add-runtime', `cista=${cistaBinary}`, '--default-runtime', 'cista',
      '--containerd-namespace', 'cista-test-docker', '--containerd-plugins-namespace', 'cista-test-docker-plugins',
    ],
    socket,
    work,
  );
  try {
    const docker = ['-H', `unix://${socket}`];
    run('docker', [...docker, 'import', path.join(work, 'rootfs.tar'), 'cista-busybox']);
    const id = run('docker', [...docker, 'run', '-d', '--name', 'cista-sd', '--network', 'none', '--memory', '64m', '--pids-limit', '30', 'cista-busybox', 'sleep', '1000']).trim();
    const unit = `docker-${id}.scope`;
    assertLimitedScope(unit, 'system.slice');
    assert.equal(run('docker', [...docker, 'exec', 'cista-sd', 'sh', '-c', 'echo exec:ok']).trim(), 'exec:ok');
    run('docker', [...docker, 'stop', '-t', '1', 'cista-sd']);
    run('docker', [...docker, 'rm', 'cista-sd']);
    assert.deepEqual(units('docker-*'), []);
    console.log('ok - docker with native.cgroupdriver=systemd and cista as its runtime: run --memory --pids-limit, exec, stop, rm');
  } finally {
    await stopDaemon(dockerd);
  }
}

async function runClients(rootfs, work) {
  const podman = podmanScenario(rootfs, work);
  await containerdScenario(podman, work);
  await dockerScenario(rootfs, work);
}

module.exports = { runClients };
