// linux.resources on a real cgroup2-only kernel: a container created by the CLI with memory, cpu,
// pids, io and unified settings, its cgroup files read back (converted the way runc converts them),
// then deleted. Called from devices-v2.js so that the slow VM starts one node process only.
'use strict';
const assert = require('node:assert/strict');
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '../..');

/**
 * The CLI with its state under `scratch`; stdio to a file, not a pipe: a created container inherits
 * it, and would hold a pipe open.
 */
function cistaIn(scratch) {
  return (...args) => {
    const out = path.join(scratch, 'out');
    const fd = fs.openSync(out, 'w+');
    const r = spawnSync(path.join(repo, 'bin/cista'), ['--root', path.join(scratch, 'state'), ...args], { stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    return { status: r.status, output: fs.readFileSync(out, 'utf8') };
  };
}

function runResourcesContainer() {
  const scratch = fs.mkdtempSync('/tmp/cista-cg2-res-');
  // A parent cista has to create, and enable the controllers in.
  const parent = `/sys/fs/cgroup/cista-res-test-${process.pid}`;
  const dir = `${parent}/ctr`;
  const cista = cistaIn(scratch);
  try {
    const bundle = path.join(scratch, 'bundle');
    const made = spawnSync(path.join(repo, 'scripts/example-bundle.sh'), [bundle, 'sleep', '100'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const configFile = path.join(bundle, 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    config.linux.cgroupsPath = dir.slice('/sys/fs/cgroup'.length);
    config.linux.resources = {
      ...config.linux.resources,
      memory: { limit: 67108864, swap: 100663296, reservation: 16777216 },
      cpu: { shares: 1024, quota: 50000, period: 100000 },
      pids: { limit: 30 },
      blockIO: { weight: 500 },
      unified: { 'memory.high': '50331648' },
    };
    fs.writeFileSync(configFile, JSON.stringify(config));

    const check = cista('check', '--format', 'json');
    assert.equal(check.status, 0, check.output);
    const cgroups = JSON.parse(check.output).checks.find((c) => c.name === 'cgroups');
    assert.match(cgroups.found, /^cgroup v2 \(unified\) at \/sys\/fs\/cgroup, controllers: .*memory/);

    const created = cista('create', '--bundle', bundle, 'res');
    assert.deepEqual(created, { status: 0, output: '' });
    const pid = JSON.parse(cista('state', 'res').output).pid;
    assert.equal(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'), `0::${dir.slice('/sys/fs/cgroup'.length)}\n`);
    const read = (file) => fs.readFileSync(path.join(dir, file), 'utf8').trim();
    assert.equal(read('memory.max'), '67108864');
    assert.equal(read('memory.swap.max'), '33554432'); // memory+swap 96M - memory 64M
    assert.equal(read('memory.low'), '16777216');
    assert.equal(read('memory.high'), '50331648');
    assert.equal(read('cpu.max'), '50000 100000');
    assert.equal(read('cpu.weight'), '39'); // 1 + (1024 - 2) * 9999 / 262142
    assert.equal(read('pids.max'), '30');
    // BFQ takes the blkio weight as is; without it, io.weight gets it converted (1 + (500 - 10) * 9999 / 990).
    if (fs.existsSync(path.join(dir, 'io.bfq.weight'))) assert.match(read('io.bfq.weight'), /^default 500$/m);
    else assert.match(read('io.weight'), /^default 4950$/m);

    // events --stats reads the same files through the v2 manager, in runc's v1-shaped layout.
    const events = cista('events', '--stats', 'res');
    assert.equal(events.status, 0, events.output);
    const stats = JSON.parse(events.output).data;
    assert.equal(stats.memory.usage.limit, 67108864);
    assert.equal(stats.memory.swap.limit, 100663296);
    assert.deepEqual(stats.pids, { current: 1, limit: 30 });
    assert.ok(stats.cpu.usage.total > 0);

    assert.equal(cista('delete', '--force', 'res').status, 0);
    assert.equal(fs.existsSync(dir), false);
    assert.equal(fs.existsSync(parent), false);

    // A field v2 cannot honour: refused with the field named, nothing left behind.
    config.linux.resources.memory.swappiness = 10;
    fs.writeFileSync(configFile, JSON.stringify(config));
    const refused = cista('create', '--bundle', bundle, 'res');
    assert.equal(refused.status, 1);
    assert.equal(refused.output, 'cista: config.json: /linux/resources/memory/swappiness: cgroup v2 has no per-cgroup swappiness\n');
    assert.equal(fs.existsSync(parent), false);
    console.log('ok - a container with resource limits');
  } finally {
    cista('delete', '--force', 'res');
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * `cista events` on v2: an `oom` line from memory.events (inotify, no polling) when the container's
 * process takes all its memory, and the stream ends once the container is deleted.
 */
async function runEventsOom() {
  const scratch = fs.mkdtempSync('/tmp/cista-cg2-oom-');
  const cista = cistaIn(scratch);
  try {
    const bundle = path.join(scratch, 'bundle');
    // tail of a file without newlines keeps all of it: the OOM killer ends it, the shell lives on.
    const made = spawnSync(path.join(repo, 'scripts/example-bundle.sh'), [bundle, 'sh', '-c', 'tail /dev/zero; sleep 1000'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const configFile = path.join(bundle, 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    config.linux.resources = { ...config.linux.resources, memory: { limit: 33554432 } };
    fs.writeFileSync(configFile, JSON.stringify(config));
    assert.deepEqual(cista('create', '--bundle', bundle, 'oom'), { status: 0, output: '' });
    const events = spawn(path.join(repo, 'bin/cista'), ['--root', path.join(scratch, 'state'), 'events', '--interval', '200ms', 'oom'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let lines = '';
    events.stdout.on('data', (chunk) => (lines += chunk));
    const exited = new Promise((resolve) => events.on('exit', resolve));
    const until = async (condition, what) => {
      for (let i = 0; i < 600 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.ok(condition(), `timed out waiting for ${what}: ${lines}`);
    };
    // Its first stats line: the watch is set up.
    await until(() => lines.includes('"type":"stats"'), 'the first stats');
    assert.equal(cista('start', 'oom').status, 0);
    await until(() => lines.includes('{"type":"oom","id":"oom"}'), 'the oom event');
    assert.equal(cista('delete', '--force', 'oom').status, 0);
    assert.equal(await exited, 0);
    console.log('ok - events reports an OOM from memory.events and ends at delete');
  } finally {
    cista('delete', '--force', 'oom');
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

module.exports = { cistaIn, runEventsOom, runResourcesContainer };
