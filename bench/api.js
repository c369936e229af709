#!/usr/bin/env node
'use strict';
// cista's Node API against runc spawned from the same Node process, and the API's cost to the event
// loop. Needs root, a built tree (dist/, build/Release/), /bin/busybox and runc (PATH, or $RUNC).
//
//   sudo node bench/api.js [--iterations N] [--concurrent N] [--runs N] [--json]
//
//   (a) sequential run of /bin/true: `await runtime.run()` vs `spawn('runc', ['run', ...])` awaited,
//       interleaved, N each (default 20)
//   (b) N concurrent runs (default 50): containers/s of the API vs as many concurrent runc spawns,
//       and the event loop's delay during the API's (a 1 ms interval timer's lateness, every tick kept:
//       perf_hooks.monitorEventLoopDelay kept one sample per long block here)
//   (c) how long each API call holds the event loop: the longest lateness of the 1 ms timer while
//       create, start, spawn (exec), kill, state and delete run, one at a time, N each
//   (d) RSS and open fds of this process before and after R sequential API runs (default 1000)
// A measurement, not a test: it exits 0 whatever the figures, non-zero only on an error. All it
// makes (bundles, --root dirs, containers) is in one temp dir, removed at the end.

const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const REPO = path.resolve(__dirname, '..');
const { Runtime } = require(REPO);
const RUNC = process.env.RUNC || 'runc';
const TARGETS = { sequential: 0.5, p99LagMs: 20 };

function parseArgs(argv) {
  const opts = { iterations: 20, concurrent: 50, runs: 1000, json: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const key = { '--iterations': 'iterations', '--concurrent': 'concurrent', '--runs': 'runs' }[flag];
    if (flag === '--json') opts.json = true;
    else if (key !== undefined && /^\d+$/.test(argv[i + 1] ?? '')) opts[key] = Number(argv[++i]);
    else throw new Error(`usage: node bench/api.js [--iterations N] [--concurrent N] [--runs N] [--json] (at ${flag})`);
  }
  return opts;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs) => Math.max(...xs);
const openFds = () => fs.readdirSync('/proc/self/fd').length;
const memory = () => ({ rssMiB: process.memoryUsage().rss / 1024 / 1024, heapMiB: process.memoryUsage().heapUsed / 1024 / 1024 });

function runcRun(root, bundle, id) {
  return new Promise((resolve, reject) => {
    const child = spawn(RUNC, ['--root', root, 'run', '--bundle', bundle, id], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`runc run ${id} exited with ${code}`))));
  });
}

async function timed(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Samples how late a 1 ms interval fires while `fn` runs: the event loop's delay, each tick. */
async function lagDuring(fn) {
  const lateness = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lateness.push(Math.max(0, now - last - 1));
    last = now;
  }, 1);
  const wall = await timed(fn);
  clearInterval(timer);
  lateness.push(performance.now() - last);
  lateness.sort((a, b) => a - b);
  return { wall, p99: lateness[Math.floor(lateness.length * 0.99)], max: lateness[lateness.length - 1], samples: lateness.length };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-bench-api-'));
  const bundle = path.join(dir, 'bundle');
  const sleeper = path.join(dir, 'sleeper');
  execFileSync(path.join(REPO, 'scripts', 'example-bundle.sh'), [bundle, 'true'], { stdio: 'ignore' });
  execFileSync(path.join(REPO, 'scripts', 'example-bundle.sh'), [sleeper, 'sleep', '1000'], { stdio: 'ignore' });
  const runtime = new Runtime({ root: path.join(dir, 'cista') });
  const runcRoot = path.join(dir, 'runc');
  let n = 0;
  const id = () => `b${process.pid}-${n++}`;
  const report = {};
  try {
    // Warm-up: the addon, the validator, the page cache.
    for (let i = 0; i < 3; i++) {
      await runtime.run(id(), { bundle });
      await runcRun(runcRoot, bundle, id());
    }

    // (a)
    const api = [];
    const runc = [];
    for (let i = 0; i < opts.iterations; i++) {
      api.push(await timed(() => runtime.run(id(), { bundle })));
      runc.push(await timed(() => runcRun(runcRoot, bundle, id())));
    }
    report.sequential = { apiMs: median(api), runcMs: median(runc), ratio: median(api) / median(runc) };

    // (b)
    const lag = await lagDuring(() => Promise.all(Array.from({ length: opts.concurrent }, () => runtime.run(id(), { bundle }))));
    const apiWall = lag.wall;
    const runcWall = await timed(() => Promise.all(Array.from({ length: opts.concurrent }, () => runcRun(runcRoot, bundle, id()))));
    report.concurrent = {
      count: opts.concurrent,
      apiPerSecond: (opts.concurrent * 1000) / apiWall,
      runcPerSecond: (opts.concurrent * 1000) / runcWall,
      ratio: runcWall / apiWall,
      lagP99Ms: lag.p99,
      lagMaxMs: lag.max,
      lagSamples: lag.samples,
    };

    // (c)
    const held = { create: [], start: [], spawn: [], state: [], kill: [], delete: [] };
    const hold = async (call, fn) => {
      let result;
      held[call].push((await lagDuring(async () => (result = await fn()))).max);
      return result;
    };
    for (let i = 0; i < opts.iterations; i++) {
      const container = await hold('create', () => runtime.create(id(), { bundle: sleeper }));
      await hold('start', () => container.start());
      const spawned = await hold('spawn', () => container.spawn({ args: ['true'], stdio: 'ignore' }));
      await spawned.wait();
      await hold('state', () => container.state());
      await hold('kill', () => container.kill('KILL'));
      await container.wait();
      await hold('delete', () => container.delete());
    }
    report.heldMs = Object.fromEntries(Object.entries(held).map(([call, xs]) => [call, { median: median(xs), max: max(xs) }]));

    // (d)
    global.gc?.();
    const before = { ...memory(), fds: openFds() };
    for (let i = 0; i < opts.runs; i++) await runtime.run(id(), { bundle });
    global.gc?.();
    report.leak = { runs: opts.runs, before, after: { ...memory(), fds: openFds() } };
  } finally {
    for (const state of await runtime.list()) await (await runtime.get(state.id)).delete({ force: true });
    try {
      execFileSync(RUNC, ['--root', runcRoot, 'list', '-q'], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .forEach((c) => execFileSync(RUNC, ['--root', runcRoot, 'delete', '--force', c]));
    } catch {
      // No runc root: nothing to delete.
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }

  if (!opts.json) {
    const r = report;
    const f = (x) => x.toFixed(1);
    const verdict = (ok) => (ok ? 'PASS' : 'MISS');
    console.log(`(a) sequential run of /bin/true, median of ${opts.iterations}: API ${f(r.sequential.apiMs)} ms, runc ${f(r.sequential.runcMs)} ms`);
    console.log(`    API / runc = ${r.sequential.ratio.toFixed(2)} (target <= ${TARGETS.sequential}) ${verdict(r.sequential.ratio <= TARGETS.sequential)}`);
    console.log(`(b) ${r.concurrent.count} concurrent runs: API ${f(r.concurrent.apiPerSecond)}/s, runc ${f(r.concurrent.runcPerSecond)}/s, API / runc throughput = ${r.concurrent.ratio.toFixed(2)}`);
    console.log(`    event-loop delay during the API's: p99 ${f(r.concurrent.lagP99Ms)} ms (target <= ${TARGETS.p99LagMs}) ${verdict(r.concurrent.lagP99Ms <= TARGETS.p99LagMs)}, max ${f(r.concurrent.lagMaxMs)} ms`);
    console.log(`(c) event loop held per call (ms, median / max of ${opts.iterations}):`);
    for (const [call, x] of Object.entries(r.heldMs)) console.log(`    ${call.padEnd(7)} ${f(x.median).padStart(6)} / ${f(x.max)}`);
    console.log(`(d) ${r.leak.runs} runs: RSS ${f(r.leak.before.rssMiB)} -> ${f(r.leak.after.rssMiB)} MiB, JS heap ${f(r.leak.before.heapMiB)} -> ${f(r.leak.after.heapMiB)} MiB, open fds ${r.leak.before.fds} -> ${r.leak.after.fds}`);
  }
  console.log(JSON.stringify(report));
}

main().catch((e) => {
  console.error(`bench/api.js: ${e.stack ?? e}`);
  process.exit(1);
});
