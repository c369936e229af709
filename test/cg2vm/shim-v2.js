// containerd-shim-cista-v2 on a real cgroup2-only kernel, under a containerd of the test's own
// (test/helpers/containerd.js): Stats answers with containerd's cgroup v2 Metrics (`ctr task metrics`
// reads them back), and an OOM in the task's cgroup (memory.events, watched with inotify) is
// published as /tasks/oom. Called from devices-v2.js so that the slow VM starts one node process only.
'use strict';
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');

const { CISTA_RUNTIME, Containerd, IMAGE } = require('../helpers/containerd');

async function until(condition, what) {
  for (let i = 0; i < 600 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.ok(condition(), `timed out waiting for ${what}`);
}

async function runShimV2Checks() {
  // The warm shim lingers 1 s after its last task (then a 5 s grace): the check that none is left waits for it.
  const ctd = await Containerd.start({ CISTA_SHIM_LINGER: '1' });
  const id = 'shim-v2';
  const events = spawn('ctr', ['--address', ctd.socket, 'events'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let seen = '';
  events.stdout.on('data', (chunk) => (seen += chunk));
  try {
    ctd.ok(['run', '-d', '--memory-limit', String(32 * 1024 * 1024), '--runtime', CISTA_RUNTIME, IMAGE, id, 'sleep', '1000']);
    // ctr prints v2 Metrics (a v1 message would show memory.usage_in_bytes and the like).
    const metrics = ctd.ok(['task', 'metrics', id]);
    assert.match(metrics, /^memory\.usage_limit\s+33554432\s*$/m, metrics);
    assert.match(metrics, /^memory\.swap_limit\s+18446744073709551615\s*$/m, metrics);
    // pids without a pids limit: create enables the controllers the stats read.
    assert.match(metrics, /^pids\.current\s+1\s*$/m, metrics);
    assert.match(metrics, /^cpu\.usage_usec\s+[1-9]\d*\s*$/m, metrics);
    const json = JSON.parse(ctd.ok(['task', 'metrics', '--format', 'json', id]));
    assert.equal(json.memory.usage_limit, 32 * 1024 * 1024);
    assert.ok(json.memory.usage > 0);
    console.log('ok - the cista shim answers Stats with cgroup v2 Metrics');

    // An exec'd process in the task's cgroup takes all the memory: tail keeps a file without newlines.
    ctd.ctr(['task', 'exec', '--exec-id', 'oom', id, 'tail', '/dev/zero']);
    await until(() => seen.includes('/tasks/oom'), '/tasks/oom');
    assert.match(seen, new RegExp(`/tasks/oom \\{"container_id":"${id}"\\}`));
    console.log('ok - the cista shim publishes /tasks/oom from memory.events');

    ctd.ok(['task', 'kill', '--signal', 'SIGKILL', id]);
    await until(() => /STOPPED/.test(ctd.ok(['task', 'list'])), 'the task to stop');
    ctd.ok(['task', 'delete', id]);
    ctd.ok(['containers', 'delete', id]);
    await until(() => ctd.shimPids().length === 0, 'the warm shim to exit');
  } finally {
    events.kill();
    ctd.ctr(['task', 'delete', '--force', id]);
    ctd.ctr(['containers', 'delete', id]);
    await ctd.stop();
  }
}

module.exports = { runShimV2Checks };
