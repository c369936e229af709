#!/usr/bin/env node
'use strict';
// cista benchmark: times the real CLI against baselines measured in the same run and prints ratios.
//
//   sudo node bench/run.js [--iterations N] [--warmup N] [--json]      (or: npm run bench -- ...)
//
// Baselines: `node -e 0` (the floor for any Node CLI) and runc (from PATH, or $RUNC).
// Measured, each a wall time per spawnSync, interleaved per iteration (baseline, cista, runc):
//   (a) node -e 0
//   (b) `state ID` of a created container            cista vs runc vs node -e 0
//   (c) `run ID` of /bin/true (fresh id each time)    cista vs runc
//   (d) create + start + state + delete --force of `sleep 1000`
//                                                    cista vs runc vs four sequential `node -e 0`
//   peak RSS of every cista CLI call (GNU time %M, i.e. ru_maxrss) and the RSS of the waiting
//   init helper of a `created` container (VmRSS in /proc/PID/status) vs runc's `runc init`.
// It is a measurement, not a test: it exits 0 when a target is missed, non-zero only on errors.
// Everything it makes (bundles, --root dirs, containers) lives in one temp dir and is removed at
// the end, also on error or Ctrl-C.

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const CISTA = path.join(REPO, 'bin', 'cista');
const EXAMPLE_BUNDLE = path.join(REPO, 'scripts', 'example-bundle.sh');
const NODE = process.execPath;
const TARGETS = { state: 1.3, lifecycle: 1.3, peakMiB: 60 };
const SPAWN_TIMEOUT_MS = 60_000;

function usage(code) {
  process.stdout.write('usage: node bench/run.js [--iterations N] [--warmup N] [--json]\n' +
    '  --iterations N  timed iterations of each measurement (default 20)\n' +
    '  --warmup N      untimed warm-up iterations first (default 3)\n' +
    '  --json          print only the JSON summary line\n' +
    '  env RUNC        the runc binary to compare with (default: runc from PATH)\n');
  process.exit(code);
}

function parseArgs(argv) {
  const opts = { iterations: 20, warmup: 3, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline !== undefined ? inline : argv[++i];
      if (v === undefined || !/^\d+$/.test(v)) throw new Error(`${flag} needs a whole number`);
      return Number(v);
    };
    if (flag === '--iterations' || flag === '-n') opts.iterations = value();
    else if (flag === '--warmup') opts.warmup = value();
    else if (flag === '--json') opts.json = true;
    else if (flag === '--help' || flag === '-h') usage(0);
    else throw new Error(`unknown argument: ${a}`);
  }
  if (opts.iterations < 1) throw new Error('--iterations must be at least 1');
  return opts;
}

// ---------------------------------------------------------------------------------------------
// Process helpers

function which(name) {
  if (name.includes('/')) return fs.existsSync(name) ? name : null;
  for (const dir of (process.env.PATH || '').split(':')) {
    const p = path.join(dir || '.', name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch { /* next */ }
  }
  return null;
}

let tmp = null; // the one temp dir everything goes in

// Runs argv synchronously; returns { ms, stdout, stderr }. Throws on a non-zero exit, a signal or a
// timeout. stdout/stderr go to files, not pipes: a container started by `create` inherits them and
// would hold a pipe open, and spawnSync waits for its pipes to close.
function exec(argv, { check = true } = {}) {
  const outFile = path.join(tmp, '.stdout');
  const errFile = path.join(tmp, '.stderr');
  const out = fs.openSync(outFile, 'w');
  const err = fs.openSync(errFile, 'w');
  let r;
  let ms;
  try {
    const t0 = process.hrtime.bigint();
    r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', out, err], timeout: SPAWN_TIMEOUT_MS, killSignal: 'SIGKILL' });
    ms = Number(process.hrtime.bigint() - t0) / 1e6;
  } finally {
    fs.closeSync(out);
    fs.closeSync(err);
  }
  const stdout = fs.readFileSync(outFile, 'utf8');
  const stderr = fs.readFileSync(errFile, 'utf8');
  if (check && (r.error || r.status !== 0)) {
    const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit status ${r.status}`;
    throw new Error(`\`${argv.join(' ')}\` failed (${why})${stderr ? `:\n${stderr.trimEnd()}` : ''}`);
  }
  return { ms, status: r.status, stdout, stderr };
}

// ---------------------------------------------------------------------------------------------
// Runtimes and cleanup

function runtime(name, bin, root) {
  // bin/cista is spawned as itself (#!/usr/bin/env node), the way containerd would call it.
  const base = [bin, '--root', root];
  return {
    name,
    root,
    argv: (...args) => [...base, ...args],
    ids: new Set(), // every id this run may have made, deleted --force at the end
  };
}

let runtimes = [];
let cleanedUp = false;

function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  for (const rt of runtimes) {
    // The ids we made, plus whatever `list -q` still shows under our own --root.
    const ids = new Set(rt.ids);
    try {
      const r = spawnSync(rt.argv('list', '-q')[0], rt.argv('list', '-q').slice(1), { encoding: 'utf8', timeout: SPAWN_TIMEOUT_MS });
      for (const id of (r.stdout || '').split('\n')) if (id.trim()) ids.add(id.trim());
    } catch { /* best effort */ }
    for (const id of ids) {
      const argv = rt.argv('delete', '--force', id);
      spawnSync(argv[0], argv.slice(1), { stdio: 'ignore', timeout: SPAWN_TIMEOUT_MS });
    }
  }
  if (tmp) {
    try {
      fs.rmSync(tmp, { recursive: true, force: true });
    } catch (e) {
      process.stderr.write(`bench: could not remove ${tmp}: ${e.message}\n`);
    }
  }
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: ${sig}, cleaning up\n`);
    cleanup();
    process.exit(128 + os.constants.signals[sig]);
  });
}
process.on('exit', cleanup);

// ---------------------------------------------------------------------------------------------
// Statistics

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  const mean = s.reduce((a, b) => a + b, 0) / n;
  return { n, median: round(median), mean: round(mean), min: round(s[0]), max: round(s[n - 1]) };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

// Runs each named step once per iteration, interleaved (so drift hits all alike), warm-up first.
// steps: { label: (i) => ms }. Returns { label: [ms...] }.
// Yields to the event loop once per iteration: spawnSync blocks it, and a SIGINT/SIGTERM handler
// only runs when it turns (a Ctrl-C also hits the child, which then fails and unwinds to cleanup).
async function interleaved(opts, steps, log) {
  const samples = Object.fromEntries(Object.keys(steps).map((k) => [k, []]));
  for (let i = 0; i < opts.warmup; i++) {
    for (const f of Object.values(steps)) f(`w${i}`);
    await tick();
  }
  for (let i = 0; i < opts.iterations; i++) {
    await tick();
    for (const [k, f] of Object.entries(steps)) samples[k].push(f(String(i)));
    log('.');
  }
  log('\n');
  return samples;
}

// ---------------------------------------------------------------------------------------------
// Peak memory

function gnuTime() {
  const t = which('/usr/bin/time');
  if (!t) return null;
  const r = spawnSync(t, ['--version'], { encoding: 'utf8' });
  return /GNU/.test(`${r.stdout}${r.stderr}`) ? t : null;
}

// Max RSS in KiB of argv (the child and the descendants it waited for), or null if unmeasurable.
function maxRssKiB(timeBin, argv) {
  if (!timeBin) return null;
  const f = path.join(tmp, '.maxrss');
  exec([timeBin, '-f', '%M', '-o', f, ...argv]);
  const v = Number(fs.readFileSync(f, 'utf8').trim().split('\n').pop());
  return Number.isFinite(v) ? v : null;
}

function procStatusKiB(pid, field) {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function procName(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const log = opts.json ? () => {} : (s) => process.stderr.write(s);

  if (process.getuid() !== 0) throw new Error('must run as root (containers need it)');
  const runcBin = which(process.env.RUNC || 'runc');
  if (!runcBin) throw new Error('runc not found (set RUNC=/path/to/runc)');
  if (!fs.existsSync(path.join(REPO, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: build first (npm run build)');
  if (!fs.existsSync('/bin/busybox')) throw new Error('/bin/busybox is missing (scripts/example-bundle.sh needs busybox-static)');

  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-bench-'));
  const cista = runtime('cista', CISTA, path.join(tmp, 'root-cista'));
  const runc = runtime('runc', runcBin, path.join(tmp, 'root-runc'));
  runtimes = [cista, runc];
  const tag = `b${process.pid}`;

  // Bundles from scripts/example-bundle.sh (config from `cista spec`), shared by both runtimes.
  log('bench: making bundles\n');
  const trueBundle = path.join(tmp, 'true');
  const sleepBundle = path.join(tmp, 'sleep');
  exec(['sh', EXAMPLE_BUNDLE, trueBundle, '/bin/true']);
  exec(['sh', EXAMPLE_BUNDLE, sleepBundle, 'sleep', '1000']);
  for (const b of [trueBundle, sleepBundle]) adaptForRunc(path.join(b, 'config.json'));

  const versions = {
    node: process.version,
    cista: exec([NODE, CISTA, '--version']).stdout.split('\n')[0],
    runc: exec([runcBin, '--version']).stdout.split('\n')[0],
    kernel: os.release(),
    cpus: os.cpus().length,
    cpu: (os.cpus()[0] || {}).model,
  };

  // Preflight: both runtimes can run the bundle at all (a clear error instead of a broken table).
  for (const rt of runtimes) {
    const id = `${tag}-pre-${rt.name}`;
    rt.ids.add(id);
    exec(rt.argv('run', '--bundle', trueBundle, id));
  }

  const nodeZero = () => exec([NODE, '-e', '0']).ms;

  // (b) state of a created container. These two containers stay `created` until the end and are
  // also where the init helper's RSS is read.
  log('bench: state ');
  const stateIds = {};
  for (const rt of runtimes) {
    stateIds[rt.name] = `${tag}-state-${rt.name}`;
    rt.ids.add(stateIds[rt.name]);
    exec(rt.argv('create', '--bundle', sleepBundle, stateIds[rt.name]));
  }
  const stateSamples = await interleaved(opts, {
    node: nodeZero,
    cista: () => exec(cista.argv('state', stateIds.cista)).ms,
    runc: () => exec(runc.argv('state', stateIds.runc)).ms,
  }, log);

  // (c) run /bin/true, a fresh id every time.
  log('bench: run /bin/true ');
  const runOnce = (rt) => (i) => {
    const id = `${tag}-run-${rt.name}-${i}`;
    rt.ids.add(id);
    const ms = exec(rt.argv('run', '--bundle', trueBundle, id)).ms;
    rt.ids.delete(id); // run deletes it when it exits
    return ms;
  };
  const runSamples = await interleaved(opts, { node: nodeZero, cista: runOnce(cista), runc: runOnce(runc) }, log);

  // (d) the containerd-style lifecycle: four CLI calls.
  log('bench: lifecycle ');
  const steps = {};
  const lifecycle = (rt) => (i) => {
    const id = `${tag}-life-${rt.name}-${i}`;
    rt.ids.add(id);
    const t = [
      exec(rt.argv('create', '--bundle', sleepBundle, id)).ms,
      exec(rt.argv('start', id)).ms,
      exec(rt.argv('state', id)).ms,
      exec(rt.argv('delete', '--force', id)).ms,
    ];
    rt.ids.delete(id);
    if (!i.startsWith('w')) {
      const s = (steps[rt.name] ||= { create: [], start: [], state: [], delete: [] });
      s.create.push(t[0]);
      s.start.push(t[1]);
      s.state.push(t[2]);
      s.delete.push(t[3]);
    }
    return t[0] + t[1] + t[2] + t[3];
  };
  const lifeSamples = await interleaved(opts, {
    node4: () => nodeZero() + nodeZero() + nodeZero() + nodeZero(),
    cista: lifecycle(cista),
    runc: lifecycle(runc),
  }, log);

  // Peak memory: every cista CLI call under GNU time (max over a few repetitions), runc and node for
  // scale; and the RSS of the init helper waiting in a created container.
  log('bench: memory\n');
  const timeBin = gnuTime();
  const memReps = Math.min(3, opts.iterations);
  const callPeaks = (rt) => {
    const out = { create: null, start: null, state: null, delete: null, run: null, list: null };
    const up = (k, v) => { if (v !== null) out[k] = Math.max(out[k] ?? 0, v); };
    for (let i = 0; i < memReps; i++) {
      const id = `${tag}-mem-${rt.name}-${i}`;
      rt.ids.add(id);
      up('create', maxRssKiB(timeBin, rt.argv('create', '--bundle', sleepBundle, id)));
      up('start', maxRssKiB(timeBin, rt.argv('start', id)));
      up('state', maxRssKiB(timeBin, rt.argv('state', id)));
      up('list', maxRssKiB(timeBin, rt.argv('list')));
      up('delete', maxRssKiB(timeBin, rt.argv('delete', '--force', id)));
      rt.ids.delete(id);
      const rid = `${id}-run`;
      rt.ids.add(rid);
      up('run', maxRssKiB(timeBin, rt.argv('run', '--bundle', trueBundle, rid)));
      rt.ids.delete(rid);
    }
    return out;
  };
  let nodeKiB = null;
  for (let i = 0; i < memReps; i++) {
    const v = maxRssKiB(timeBin, [NODE, '-e', '0']);
    if (v !== null) nodeKiB = Math.max(nodeKiB ?? 0, v);
  }
  const memory = {
    method: timeBin ? `${timeBin} -f %M (ru_maxrss of the call and the children it waited for)` : null,
    nodeKiB,
    cistaKiB: callPeaks(cista),
    runcKiB: callPeaks(runc),
    init: {},
  };
  for (const rt of runtimes) {
    const st = JSON.parse(exec(rt.argv('state', stateIds[rt.name])).stdout);
    memory.init[rt.name] = {
      pid: st.pid,
      status: st.status,
      comm: procName(st.pid),
      vmRssKiB: procStatusKiB(st.pid, 'VmRSS'),
      vmHwmKiB: procStatusKiB(st.pid, 'VmHWM'),
    };
  }

  // -------------------------------------------------------------------------------------------
  // Summary

  const S = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, stats(v)]));
  const summary = {
    bench: 'cista',
    date: new Date().toISOString(),
    iterations: opts.iterations,
    warmup: opts.warmup,
    versions,
    ms: {
      state: S(stateSamples),
      run: S(runSamples),
      lifecycle: S(lifeSamples),
      lifecycleSteps: Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, S(v)])),
    },
    memory,
  };
  const ms = summary.ms;
  const cistaPeak = Object.values(memory.cistaKiB).filter((v) => v !== null);
  const peakMiB = cistaPeak.length ? round(Math.max(...cistaPeak) / 1024, 1) : null;
  summary.ratios = {
    stateVsNode: round(ms.state.cista.median / ms.state.node.median),
    stateVsRunc: round(ms.state.cista.median / ms.state.runc.median),
    lifecycleVs4Node: round(ms.lifecycle.cista.median / ms.lifecycle.node4.median),
    lifecycleVsRunc: round(ms.lifecycle.cista.median / ms.lifecycle.runc.median),
    runVsRunc: round(ms.run.cista.median / ms.run.runc.median),
    runVsNode: round(ms.run.cista.median / ms.run.node.median),
  };
  summary.peakMiB = peakMiB;
  summary.targets = {
    state: { target: `<= ${TARGETS.state}`, value: summary.ratios.stateVsNode, pass: summary.ratios.stateVsNode <= TARGETS.state },
    lifecycle: { target: `<= ${TARGETS.lifecycle}`, value: summary.ratios.lifecycleVs4Node, pass: summary.ratios.lifecycleVs4Node <= TARGETS.lifecycle },
    peakMiB: { target: `< ${TARGETS.peakMiB}`, value: peakMiB, pass: peakMiB !== null && peakMiB < TARGETS.peakMiB },
  };

  if (!opts.json) printReport(summary);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

// Both runtimes use the same bundle. runc 1.1.5 accepts `cista spec`'s config.json as it is (the
// preflight `run` below would say otherwise), so nothing is changed today; this is the place to
// adjust the shared config for runc, with the reason, should cista's spec ever differ.
function adaptForRunc(file) {
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  const changes = [];
  if (changes.length) fs.writeFileSync(file, JSON.stringify(config, null, '\t'));
  return changes;
}

function printReport(s) {
  const out = (l = '') => process.stdout.write(`${l}\n`);
  const row = (label, st) => out(`  ${label.padEnd(34)} ${f(st.median)} ${f(st.mean)} ${f(st.min)} ${f(st.max)}`);
  const f = (x) => (x === null || x === undefined ? '-' : x.toFixed(1)).padStart(9);
  const mark = (t) => (t.pass ? 'PASS' : 'MISS');
  const { ms, memory } = s;

  out(`cista bench: ${s.iterations} iterations (+${s.warmup} warm-up), ${s.versions.cista}, ${s.versions.runc}, node ${s.versions.node}`);
  out(`  kernel ${s.versions.kernel}, ${s.versions.cpus} x ${s.versions.cpu}`);
  out();
  out(`  ${'wall time per call (ms)'.padEnd(34)} ${'median'.padStart(9)} ${'mean'.padStart(9)} ${'min'.padStart(9)} ${'max'.padStart(9)}`);
  row('node -e 0  (with state)', ms.state.node);
  row('cista state', ms.state.cista);
  row('runc state', ms.state.runc);
  row('node -e 0  (with run)', ms.run.node);
  row('cista run /bin/true', ms.run.cista);
  row('runc run /bin/true', ms.run.runc);
  row('4 x node -e 0', ms.lifecycle.node4);
  row('cista create+start+state+delete', ms.lifecycle.cista);
  for (const k of ['create', 'start', 'state', 'delete']) row(`  cista ${k}`, ms.lifecycleSteps.cista[k]);
  row('runc create+start+state+delete', ms.lifecycle.runc);
  for (const k of ['create', 'start', 'state', 'delete']) row(`  runc ${k}`, ms.lifecycleSteps.runc[k]);
  out();
  const mib = (k) => (k === null || k === undefined ? '-' : (k / 1024).toFixed(1)).padStart(7);
  out(`  peak RSS per call (MiB)            ${['create', 'start', 'state', 'delete', 'run', 'list'].map((k) => k.padStart(7)).join('')}`);
  out(`  ${'cista'.padEnd(34)}${['create', 'start', 'state', 'delete', 'run', 'list'].map((k) => mib(memory.cistaKiB[k])).join('')}`);
  out(`  ${'runc'.padEnd(34)}${['create', 'start', 'state', 'delete', 'run', 'list'].map((k) => mib(memory.runcKiB[k])).join('')}`);
  out(`  ${'node -e 0'.padEnd(34)}${mib(memory.nodeKiB)}`);
  for (const [name, i] of Object.entries(memory.init)) {
    out(`  ${`${name} init waiting (created)`.padEnd(34)} VmRSS ${mib(i.vmRssKiB).trim()} MiB, VmHWM ${mib(i.vmHwmKiB).trim()} MiB  (pid ${i.pid}, ${i.comm})`);
  }
  if (!memory.method) out('  (no GNU time at /usr/bin/time: CLI peak RSS not measured)');
  out();
  const r = s.ratios;
  const t = s.targets;
  out(`state: cista/node = ${r.stateVsNode.toFixed(2)} (target <= 1.30) ${mark(t.state)}    cista/runc = ${r.stateVsRunc.toFixed(2)}`);
  out(`lifecycle: cista/(4*node) = ${r.lifecycleVs4Node.toFixed(2)} (target <= 1.30) ${mark(t.lifecycle)}    cista/runc = ${r.lifecycleVsRunc.toFixed(2)}`);
  out(`run /bin/true: cista/runc = ${r.runVsRunc.toFixed(2)}    cista/node = ${r.runVsNode.toFixed(2)}`);
  out(`CLI peak RSS: ${s.peakMiB === null ? '-' : s.peakMiB.toFixed(1)} MiB (target < 60) ${mark(t.peakMiB)}`);
  out();
}

main().then(cleanup, (e) => {
  process.stderr.write(`bench: error: ${e && e.message ? e.message : e}\n`);
  cleanup();
  process.exitCode = 1;
});
