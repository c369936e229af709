#!/usr/bin/env node
'use strict';
// Runs the OCI runtime-tools validation suite (a copy built by hand, see README.md) against a
// runtime, one test binary at a time, and optionally against a baseline runtime (runc) too.
//
//   RUNTIME_TOOLS_DIR=/work/rt/build node runtime-tools/run.js \
//       [--runtime PATH] [--baseline PATH|NAME] [--only a,b] [--timeout SECONDS] [--logs DIR]
//
// Plain Node (no build step, no dependencies). The last line printed is always
// `N passed, M failed, K skipped` for the runtime under test: TAP assertions, plus one failure for
// each test binary that aborts, times out, bails out or reports an error without an assertion.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');

const HERE = __dirname;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// cgroupsPath values the suite sets (runtime-tools cgroups.AbsCgroupPath / RelCgroupPath).
const SUITE_CGROUP_NAMES = new Set(['cgrouptest', 'testdir']);
const CGROUP_ROOT = '/sys/fs/cgroup';

// ---------------------------------------------------------------------------------------------
// Arguments

function usage(msg) {
  if (msg) process.stderr.write(`run.js: ${msg}\n`);
  process.stderr.write(
    'usage: RUNTIME_TOOLS_DIR=DIR node runtime-tools/run.js [--runtime PATH] [--baseline PATH|NAME]\n' +
      '                [--only test,...] [--timeout SECONDS] [--logs DIR] [--tools-dir DIR] [--unsafe-host-root]\n',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {
    runtime: path.resolve(HERE, '..', 'bin', 'cista'),
    baseline: null,
    only: null,
    timeout: 120,
    logs: path.join(HERE, 'logs'),
    toolsDir: process.env.RUNTIME_TOOLS_DIR || null,
    unsafeHostRoot: false,
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let v;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      v = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const val = () => {
      if (v !== undefined) return v;
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--runtime': opts.runtime = val(); break;
      case '--baseline': opts.baseline = val(); break;
      case '--only': opts.only = val().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--timeout': opts.timeout = Number(val()); break;
      case '--logs': opts.logs = path.resolve(val()); break;
      case '--tools-dir': opts.toolsDir = val(); break;
      case '--unsafe-host-root': opts.unsafeHostRoot = true; break;
      case '-h': case '--help': usage(); break;
      default: usage(`unknown argument ${a}`);
    }
  }
  if (!opts.toolsDir) usage('set RUNTIME_TOOLS_DIR (or --tools-dir) to a built copy of the suite');
  if (!(opts.timeout > 0)) usage('--timeout must be a positive number of seconds');
  opts.toolsDir = path.resolve(opts.toolsDir);
  return opts;
}

// A runtime given as a bare name is looked up on PATH (and the sbin directories, where Debian puts runc).
function resolveRuntime(spec) {
  if (spec.includes('/')) {
    const p = path.resolve(spec);
    if (!isExecutable(p)) throw new Error(`runtime ${spec} is not an executable file`);
    return p;
  }
  const dirs = (process.env.PATH || '').split(':').concat(['/usr/local/sbin', '/usr/sbin', '/sbin']);
  for (const d of dirs) {
    if (d && isExecutable(path.join(d, spec))) return path.join(d, spec);
  }
  throw new Error(`runtime ${spec} not found on PATH`);
}

function isExecutable(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The suite

// Tests are validation/<name>/<name>.t (upstream's `make` layout) or validation/<name>.t.
function discoverTests(toolsDir) {
  for (const f of ['runtimetest', `rootfs-${goArch()}.tar.gz`]) {
    if (!fs.existsSync(path.join(toolsDir, f))) {
      throw new Error(`${toolsDir} has no ${f}: the tests copy it from their working directory`);
    }
  }
  const vdir = path.join(toolsDir, 'validation');
  const tests = [];
  for (const ent of fs.readdirSync(vdir, { withFileTypes: true })) {
    if (ent.isDirectory()) {
      for (const f of fs.readdirSync(path.join(vdir, ent.name))) {
        if (f.endsWith('.t')) tests.push({ name: f.slice(0, -2), bin: path.join(vdir, ent.name, f) });
      }
    } else if (ent.name.endsWith('.t')) {
      tests.push({ name: ent.name.slice(0, -2), bin: path.join(vdir, ent.name) });
    }
  }
  tests.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (!tests.length) throw new Error(`no validation/*/*.t test binaries under ${toolsDir}`);
  return tests;
}

function goArch() {
  return { x64: 'amd64', arm64: 'arm64', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' }[process.arch] || process.arch;
}

// ---------------------------------------------------------------------------------------------
// TAP

function parseTap(text) {
  const r = { ok: 0, notOk: 0, skipped: 0, todo: 0, plans: [], bailOut: null, assertions: 0 };
  for (const line of text.split('\n')) {
    let m = /^(not ok|ok)\b(.*)$/.exec(line);
    if (m) {
      r.assertions++;
      const directive = /#\s*(skip|todo)\b/i.exec(m[2]);
      const kind = directive ? directive[1].toLowerCase() : null;
      if (kind === 'skip') r.skipped++;
      else if (kind === 'todo') r.todo++; // `not ok # TODO` is not a failure in TAP; not a pass either
      else if (m[1] === 'ok') r.ok++;
      else r.notOk++;
      continue;
    }
    if ((m = /^1\.\.(\d+)/.exec(line))) {
      r.plans.push(Number(m[1]));
      continue;
    }
    if ((m = /^Bail out!(.*)$/.exec(line))) r.bailOut = m[1].trim() || 'bail out';
  }
  return r;
}

// Test status, and whether the binary counts one failure of its own (on top of its `not ok`s):
//   TIMEOUT  killed after --timeout                                        +1 failure
//   ABORT    died by a signal, `Bail out!`, non-zero exit, or no TAP plan  +1 failure
//   ERROR    no assertion at all but an "error" diagnostic (the hooks tests
//            report their findings only that way, under a `1..0` plan)     +1 failure
//   FAIL     some `not ok`
//   SKIP     only skips
//   EMPTY    no assertion and no error (a `1..0` plan)
//   PASS     otherwise
function classify(tap, run, text) {
  const why = [];
  let status = null;
  if (run.timedOut) {
    status = 'TIMEOUT';
    why.push(`killed after ${run.timeout}s`);
  } else if (run.signal) {
    status = 'ABORT';
    why.push(`killed by ${run.signal}`);
  } else if (tap.bailOut) {
    status = 'ABORT';
    why.push(`Bail out! ${tap.bailOut}`);
  } else if (run.code) {
    status = 'ABORT';
    why.push(`exit ${run.code}${tap.plans.length ? '' : ' without a TAP plan'}`);
  } else if (!tap.plans.length) {
    status = 'ABORT';
    why.push('no TAP plan');
  }
  const lastPlan = tap.plans[tap.plans.length - 1];
  if (!status && tap.plans.length === 1 && lastPlan !== tap.assertions) {
    status = 'ABORT';
    why.push(`plan 1..${lastPlan} but ${tap.assertions} results`);
  }
  if (!status && tap.assertions === 0) {
    const m = /^\s+"error": "([^"\\]*)/m.exec(text);
    if (m) {
      status = 'ERROR';
      why.push(`error without an assertion: ${m[1].slice(0, 80)}`);
    } else {
      status = 'EMPTY';
    }
  }
  if (!status) status = tap.notOk > 0 ? 'FAIL' : tap.ok === 0 && tap.skipped > 0 ? 'SKIP' : 'PASS';
  return { status, why, aborted: ['ABORT', 'TIMEOUT', 'ERROR'].includes(status) };
}

// ---------------------------------------------------------------------------------------------
// Host state: containers, mounts, cgroups, processes

function runtimeList(runtime) {
  const r = spawnSync(runtime, ['list', '-q'], { encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) return [];
  return r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
}

function runtimeState(runtime, id) {
  const r = spawnSync(runtime, ['state', id], { encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) return null;
  try {
    return JSON.parse(r.stdout);
  } catch {
    return null;
  }
}

function unescapeMountinfo(s) {
  return s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
}

function mountsUnder(dir) {
  let text;
  try {
    text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const out = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 5) continue;
    const mp = unescapeMountinfo(f[4]);
    if (mp === dir || mp.startsWith(dir + '/')) out.push(mp);
  }
  return out;
}

// Every cgroup directory (v1 hierarchies and the unified one), a few levels deep.
function cgroupDirs() {
  const dirs = new Set();
  const walk = (d, depth) => {
    let ents;
    try {
      ents = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      if (!e.isDirectory()) continue;
      const p = path.join(d, e.name);
      dirs.add(p);
      if (depth < 8) walk(p, depth + 1);
    }
  };
  let hier;
  try {
    hier = fs.readdirSync(CGROUP_ROOT, { withFileTypes: true });
  } catch {
    return dirs;
  }
  if (fs.existsSync(path.join(CGROUP_ROOT, 'cgroup.controllers'))) walk(CGROUP_ROOT, 0); // pure v2
  else for (const h of hier) if (h.isDirectory()) walk(path.join(CGROUP_ROOT, h.name), 0);
  return dirs;
}

// Members of a process group, from /proc: [{ pid, state, comm }].
function groupMembers(pgid) {
  const out = [];
  let pids;
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const f = stat.slice(close + 2).split(' '); // state ppid pgrp ...
    if (Number(f[2]) === pgid) out.push({ pid: Number(pid), state: f[0], comm: stat.slice(stat.indexOf('(') + 1, close) });
  }
  return out;
}

function killGroup(pgid) {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

async function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// After a test: delete the containers it left, kill what is left of its process group, unmount
// what is still mounted under its temporary directory, remove the cgroups it made, remove the
// directory. Returns what it had to clean, as notes for the log.
async function cleanup(ctx) {
  const notes = [];
  const { runtime, before, tmp, pgid, cgBefore, ids } = ctx; // and hostRootBefore, with --unsafe-host-root

  // 1. Containers new since the test began whose bundle is under this test's TMPDIR (or whose
  //    state cannot be read): containers of other users of the same root are left alone.
  for (const id of runtimeList(runtime)) {
    if (before.has(id)) continue;
    const st = runtimeState(runtime, id);
    if (st && st.bundle && !(st.bundle === tmp || st.bundle.startsWith(tmp + '/'))) continue;
    ids.add(id);
    const r = spawnSync(runtime, ['delete', '--force', id], { encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'] });
    notes.push(`left container ${id} (${st ? st.status : 'state unreadable'}): delete --force ${r.status === 0 ? 'ok' : `failed: ${(r.stderr || '').trim()}`}`);
  }

  // 2. What remains of the test's own process group (only that group, by its id). Zombies are
  //    only reported: they are dead already, waiting for a parent to reap them.
  if (pgid) {
    let left = groupMembers(pgid);
    const live = left.filter((p) => p.state !== 'Z');
    if (live.length) {
      notes.push(`process group ${pgid} still had ${live.map((p) => `${p.pid} (${p.comm}, ${p.state})`).join(', ')}: SIGKILL`);
      killGroup(pgid);
      for (let i = 0; i < 20 && groupMembers(pgid).some((p) => p.state !== 'Z'); i++) await sleep(100);
      left = groupMembers(pgid);
    }
    const zombies = left.filter((p) => p.state === 'Z');
    if (zombies.length) notes.push(`process group ${pgid} has zombies ${zombies.map((p) => `${p.pid} (${p.comm})`).join(', ')}`);
  }

  // 3. Mounts under the test's TMPDIR (deepest first; lazily, as runc's own cleanup would).
  let mounts = mountsUnder(tmp);
  if (mounts.length) {
    mounts.sort((a, b) => b.length - a.length);
    for (const mp of mounts) {
      const r = spawnSync('umount', ['-l', mp], { encoding: 'utf8', timeout: 30000 });
      notes.push(`left mount ${mp}: umount -l ${r.status === 0 ? 'ok' : `failed: ${(r.stderr || '').trim()}`}`);
    }
    mounts = mountsUnder(tmp);
  }

  // 4. Cgroups made during the test, named like the suite's cgroupsPath or a container id.
  if (cgBefore) {
    const fresh = [...cgroupDirs()].filter((d) => !cgBefore.has(d));
    const ours = fresh.filter((d) =>
      path
        .relative(CGROUP_ROOT, d)
        .split('/')
        .some((c) => SUITE_CGROUP_NAMES.has(c) || ids.has(c) || UUID_RE.test(c)),
    );
    ours.sort((a, b) => b.length - a.length);
    for (const d of ours) {
      try {
        fs.rmdirSync(d);
        notes.push(`left cgroup ${d}: removed`);
      } catch (e) {
        notes.push(`left cgroup ${d}: rmdir failed: ${e.code || e.message}`);
      }
    }
  }

  // 5. With a runtime that leaves processes in the host's root (--unsafe-host-root), the files the
  //    suite's commands write at / and that appeared during this test.
  if (ctx.hostRootBefore) {
    for (const f of SUITE_ROOT_FILES) {
      if (ctx.hostRootBefore.has(f)) continue;
      const p = path.join('/', f);
      let st;
      try {
        st = fs.lstatSync(p);
      } catch {
        continue;
      }
      if (!st.isFile()) continue;
      fs.unlinkSync(p);
      notes.push(`the test's process wrote ${p} on the host: removed`);
    }
  }

  // 6. The temporary directory, only when nothing is mounted in it any more.
  if (mounts.length) {
    notes.push(`kept ${tmp}: ${mounts.length} mount(s) still under it`);
  } else {
    try {
      fs.rmSync(tmp, { recursive: true, force: true });
    } catch (e) {
      notes.push(`could not remove ${tmp}: ${e.message}`);
    }
  }
  return notes;
}

// ---------------------------------------------------------------------------------------------
// Preflight: does the runtime run the process inside root.path? Several tests run plain `sh -c`
// commands that write to /output, /TERM, /USR1, /USR2: with a runtime that leaves the process in
// the host's root, they would write to the host's /. So before the suite, one container (made the
// way the suite makes them: the rootfs tarball untarred into the bundle, root.path ".") checks
// for a marker file that exists only in its bundle.

// Files the suite's own commands write at the container's / (validation/*: /output, killsig's signals).
const SUITE_ROOT_FILES = ['output', 'TERM', 'USR1', 'USR2'];

async function rootfsPreflight(runtime, toolsDir) {
  const bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-rt-preflight-'));
  const id = `cista-rt-preflight-${process.pid}-${Date.now()}`;
  const markerName = `.cista-rt-marker-${process.pid}`;
  const sh = (cmd, args, o = {}) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 30000, stdio: ['ignore', 'pipe', 'pipe'], ...o });
  try {
    const tar = sh('tar', ['-xf', path.join(toolsDir, `rootfs-${goArch()}.tar.gz`), '-C', bundle]);
    if (tar.status !== 0) return { verdict: 'unknown', detail: `tar: ${tar.stderr.trim()}` };
    fs.writeFileSync(path.join(bundle, markerName), '');
    const config = {
      ociVersion: '1.0.2',
      process: {
        terminal: false,
        user: { uid: 0, gid: 0 },
        args: ['/bin/sh', '-c', `if [ -e /${markerName} ]; then echo inside; else echo outside; fi`],
        env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        cwd: '/',
      },
      root: { path: '.' },
      hostname: 'preflight',
      mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
      linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }] },
    };
    fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(config, null, 2));
    const outFile = path.join(bundle, 'preflight.out');
    const fd = fs.openSync(outFile, 'w');
    const create = sh(runtime, ['create', '--bundle', bundle, id], { stdio: ['ignore', fd, 'pipe'] });
    fs.closeSync(fd);
    if (create.status !== 0) return { verdict: 'unknown', detail: `create failed: ${(create.stderr || '').trim()}` };
    sh(runtime, ['start', id]);
    for (let i = 0; i < 50; i++) {
      const st = runtimeState(runtime, id);
      if (!st || st.status === 'stopped') break;
      await sleep(200);
    }
    const out = fs.readFileSync(outFile, 'utf8').trim();
    if (out === 'inside') return { verdict: 'inside' };
    if (out === 'outside') return { verdict: 'outside' };
    return { verdict: 'unknown', detail: `the probe printed ${JSON.stringify(out)}` };
  } finally {
    sh(runtime, ['delete', '--force', id]);
    for (const mp of mountsUnder(bundle).sort((a, b) => b.length - a.length)) sh('umount', ['-l', mp]);
    if (!mountsUnder(bundle).length) fs.rmSync(bundle, { recursive: true, force: true });
    try {
      fs.unlinkSync(path.join('/', markerName)); // never there, unless something went very wrong
    } catch {
      /* expected */
    }
  }
}

function hostRootFiles() {
  const out = new Set();
  for (const f of SUITE_ROOT_FILES) if (fs.existsSync(path.join('/', f))) out.add(f);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Running

let current = null; // { child, pgid } of the test binary running now, for SIGINT

function runBinary(test, runtime, toolsDir, tmp, timeoutSec) {
  return new Promise((resolve) => {
    const started = Date.now();
    const env = { ...process.env, RUNTIME: runtime, TMPDIR: tmp };
    const child = spawn(test.bin, [], {
      cwd: toolsDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so a timeout can kill exactly it and its children
    });
    current = { child, pgid: child.pid };
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutSec * 1000);
    let spawnError = null;
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      current = null;
      resolve({
        pgid: child.pid,
        code: code ?? (spawnError ? 127 : null),
        signal: timedOut ? null : signal,
        timedOut,
        timeout: timeoutSec,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8') + (spawnError ? `\n${spawnError.message}\n` : ''),
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

function commentLines(prefix, text) {
  const t = text.replace(/\s+$/, '');
  if (!t) return '';
  return t.split('\n').map((l) => `# ${prefix}${l}`).join('\n') + '\n';
}

async function runSuite(label, runtime, tests, opts) {
  const logDir = path.join(opts.logs, label);
  fs.mkdirSync(logDir, { recursive: true });
  const results = [];
  const t0 = Date.now();
  const pre = await rootfsPreflight(runtime, opts.toolsDir);
  let hostRootGuard = false;
  if (pre.verdict === 'outside') {
    if (!opts.unsafeHostRoot) {
      throw new Error(
        `${runtime} ran the preflight container's process outside root.path (in the host's root): ` +
          'the suite would write /output, /TERM, ... on this host. Refusing; pass --unsafe-host-root ' +
          'to run anyway (the runner then removes those files after each test).',
      );
    }
    hostRootGuard = true;
    process.stderr.write(`[${label}] preflight: the process runs in the host's root, not root.path; going on (--unsafe-host-root)\n`);
  } else if (pre.verdict === 'unknown') {
    process.stderr.write(`[${label}] preflight inconclusive (${pre.detail}); going on, watching the host's / for the suite's files\n`);
    hostRootGuard = true;
  }
  for (let i = 0; i < tests.length; i++) {
    const test = tests[i];
    const hostRootBefore = hostRootGuard ? hostRootFiles() : null;
    const before = new Set(runtimeList(runtime));
    const cgBefore = cgroupDirs();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `cista-rt-${label}-${test.name}-`));
    // Same permissions as /tmp: with a 0700 parent, a container's root mapped to another uid
    // (linux_uid_mappings, linux_ns_nopath) cannot reach its own bundle.
    fs.chmodSync(tmp, 0o1777);
    const run = await runBinary(test, runtime, opts.toolsDir, tmp, opts.timeout);
    const notes = await cleanup({ runtime, before, tmp, pgid: run.pgid, cgBefore, ids: new Set(), hostRootBefore });
    const tap = parseTap(run.stdout);
    const cls = classify(tap, run, run.stdout);
    const result = { name: test.name, ...tap, ...cls, seconds: run.seconds, code: run.code, notes };
    results.push(result);

    const log =
      run.stdout +
      (run.stdout && !run.stdout.endsWith('\n') ? '\n' : '') +
      commentLines('stderr: ', run.stderr) +
      `# harness: runtime=${runtime} status=${cls.status} exit=${run.timedOut ? 'timeout' : run.signal || run.code}` +
      ` seconds=${run.seconds.toFixed(1)}${cls.why.length ? ` (${cls.why.join('; ')})` : ''}\n` +
      commentLines('cleanup: ', notes.join('\n'));
    fs.writeFileSync(path.join(logDir, `${test.name}.tap`), log);

    process.stderr.write(
      `[${label} ${String(i + 1).padStart(2)}/${tests.length}] ${test.name.padEnd(36)} ${cls.status.padEnd(7)}` +
        ` ${String(tap.ok).padStart(4)} ok ${String(tap.notOk).padStart(3)} not ok ${String(tap.skipped).padStart(3)} skip` +
        ` ${run.seconds.toFixed(1).padStart(5)}s${cls.why.length ? `  ${cls.why.join('; ')}` : ''}` +
        `${notes.length ? `  [cleaned ${notes.length}]` : ''}\n`,
    );
  }
  return { label, runtime, results, seconds: (Date.now() - t0) / 1000, totals: totals(results), preflight: pre.verdict };
}

function totals(results) {
  const t = { passed: 0, failed: 0, skipped: 0, todo: 0, aborted: 0, tests: {} };
  for (const r of results) {
    t.passed += r.ok;
    t.failed += r.notOk + (r.aborted ? 1 : 0);
    t.skipped += r.skipped;
    t.todo += r.todo;
    if (r.aborted) t.aborted++;
    t.tests[r.status] = (t.tests[r.status] || 0) + 1;
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Reports

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const fmt = (cells) =>
    cells.map((c, i) => (i === 0 || typeof c !== 'number' ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ').trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n') + '\n';
}

function suiteTable(s) {
  const rows = s.results.map((r) => [r.name, r.ok, r.notOk, r.skipped, r.status, r.seconds.toFixed(1), r.why.join('; ')]);
  return table(['test', 'ok', 'not ok', 'skip', 'status', 'secs', 'note'], rows);
}

function summaryLine(t) {
  return `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`;
}

function details(s) {
  const t = s.totals;
  const byStatus = Object.entries(t.tests).map(([k, v]) => `${v} ${k}`).join(', ');
  return (
    `${s.label} (${s.runtime}): ${s.results.length} tests in ${s.seconds.toFixed(0)} s: ${byStatus}; ` +
    `${s.preflight === 'outside' ? 'process ran in the HOST root, not root.path; ' : ''}` +
    `assertions ${t.passed} ok, ${t.failed - t.aborted} not ok, ${t.skipped} skipped` +
    `${t.todo ? `, ${t.todo} todo` : ''}` +
    `${t.aborted ? `; ${t.aborted} tests ABORT/TIMEOUT/ERROR count 1 failure each` : ''}\n`
  );
}

function diffTable(main, base) {
  const byName = new Map(base.results.map((r) => [r.name, r]));
  const rows = [];
  let better = 0;
  let worse = 0;
  let same = 0;
  for (const r of main.results) {
    const b = byName.get(r.name);
    if (!b) continue;
    const dOk = r.ok - b.ok;
    const dNot = r.notOk + (r.aborted ? 1 : 0) - (b.notOk + (b.aborted ? 1 : 0));
    let verdict = 'same';
    if (r.status !== b.status || dOk || dNot) {
      const rank = { PASS: 0, SKIP: 1, EMPTY: 1, FAIL: 2, ERROR: 3, ABORT: 3, TIMEOUT: 3 };
      if (rank[r.status] > rank[b.status] || (rank[r.status] === rank[b.status] && (dNot > 0 || (dNot === 0 && dOk < 0)))) verdict = 'worse';
      else if (rank[r.status] < rank[b.status] || dNot < 0 || dOk > 0) verdict = 'better';
      else verdict = 'differs';
    }
    if (verdict === 'same') same++;
    else if (verdict === 'worse') worse++;
    else better++;
    const sgn = (n) => (n > 0 ? `+${n}` : String(n));
    rows.push([r.name, r.ok, r.notOk, r.status, b.ok, b.notOk, b.status, sgn(dOk), sgn(dNot), verdict]);
  }
  const m = main.label;
  const n = base.label;
  return (
    table(['test', `${m} ok`, `${m} not ok`, `${m}`, `${n} ok`, `${n} not ok`, `${n}`, 'Δok', 'Δfail', `${m} vs ${n}`], rows) +
    `${m} vs ${n}: ${same} same, ${worse} worse, ${better} better or different\n`
  );
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let tests = discoverTests(opts.toolsDir);
  if (opts.only) {
    const names = new Set(tests.map((t) => t.name));
    const unknown = opts.only.filter((n) => !names.has(n));
    if (unknown.length) usage(`unknown test(s): ${unknown.join(', ')}`);
    tests = tests.filter((t) => opts.only.includes(t.name));
  }
  if (process.getuid && process.getuid() !== 0) process.stderr.write('run.js: warning: not root; most tests need root\n');

  const runtime = resolveRuntime(opts.runtime);
  const base = opts.baseline ? resolveRuntime(opts.baseline) : null;
  const label = path.basename(runtime);
  let baseLabel = base ? path.basename(base) : null;
  if (baseLabel === label) baseLabel = `${baseLabel}-baseline`;

  process.on('SIGINT', () => {
    if (current) killGroup(current.pgid);
    process.stderr.write('run.js: interrupted; the running test was killed (its temp dir may remain)\n');
    process.exit(130);
  });

  const main = await runSuite(label, runtime, tests, opts);
  const baseline = base ? await runSuite(baseLabel, base, tests, opts) : null;

  let out = `\n== ${label}: ${runtime} ==\n` + suiteTable(main);
  if (baseline) {
    out += `\n== ${baseLabel}: ${base} ==\n` + suiteTable(baseline);
    out += `\n== difference, test by test (${label} vs ${baseLabel}) ==\n` + diffTable(main, baseline);
    out += `\n${details(baseline)}${baseLabel}: ${summaryLine(baseline.totals)}\n`;
  }
  out += `\n${details(main)}logs: ${path.join(opts.logs, label)}${baseline ? `, ${path.join(opts.logs, baseLabel)}` : ''}\n`;
  out += summaryLine(main.totals) + '\n';
  process.stdout.write(out);
  process.exitCode = main.totals.failed ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`run.js: ${e.message}\n`);
  process.exit(2);
});
