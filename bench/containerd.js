#!/usr/bin/env node
'use strict';
// containerd-shim-cista-v2 against containerd's runc shim: `ctr run --rm IMAGE ID true` through a
// private containerd 1.6 (test/helpers/containerd.js: own config, root, state and socket; a busybox
// image imported), runtimes io.containerd.cista.v2 and io.containerd.runc.v2 interleaved per iteration.
//
//   sudo node bench/containerd.js [--iterations N] [--warmup N] [--pod N] [--json]
//
// Prints medians and the ratio cista / runc (target <= 1.0). Then memory: N (default 20) containers
// of `sleep` in one pod (one io.kubernetes.cri.sandbox-id, so one shim per runtime), the total RSS of
// the shims and the containers' processes (VmRSS) once the pod has settled (a second after the last
// start: a pod's shim lives idle), cista against runc (target < 1.0). cista's warm shim (the
// namespace's, which served the runs and lingers after them: src/shim/warm.ts) is measured once
// settled and printed on its own line, then the memory phase waits for it to exit, so that it counts
// in neither runtime's pod. A measurement:
// exits 0 when a target is missed, non-zero only on an error. containerd and everything it made are
// removed at the end.

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');

const { CISTA_RUNTIME, Containerd, IMAGE, RUNC_RUNTIME, pidsWith } = require('../test/helpers/containerd.js');

/** How long the pod is left alone before its memory is read. */
const SETTLE_MS = 1000;
/** cista's shim processes (their command lines). */
const CISTA_SHIM = 'dist/shim/server.js';
/** The warm shim's default linger (30 s) and grace (5 s), and room for a loaded host. */
const WARM_EXIT_TIMEOUT_MS = 60_000;

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function timedRun(ctd, runtime, id) {
  const start = process.hrtime.bigint();
  const r = spawnSync('ctr', ['--address', ctd.socket, '--namespace', ctd.namespace, 'run', '--rm', '--runtime', runtime, IMAGE, id, 'true'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
    timeout: 60_000,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`ctr run --runtime ${runtime}: exit ${r.status}: ${r.stderr}`);
  return ms;
}

/** KiB resident: VmRSS, and its anonymous part (RssAnon; the rest is mostly file pages, shared with the page cache). */
function rssKiB(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { rss: field('VmRSS'), anon: field('RssAnon') };
  } catch {
    return { rss: 0, anon: 0 };
  }
}

/** Every process in the cgroup of each container (ctr's cgroup is /NAMESPACE/ID). */
function containerPids(ctd, ids) {
  return ids.flatMap((id) => {
    try {
      return fs.readFileSync(`/sys/fs/cgroup/pids/${ctd.namespace}/${id}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

/** RSS of shims (KiB): { rss, anon }. */
function shimsKiB(pids) {
  return pids.map(rssKiB).reduce((sum, kib) => ({ rss: sum.rss + kib.rss, anon: sum.anon + kib.anon }), { rss: 0, anon: 0 });
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * cista's warm shim after the runs, settled: its MiB, then how long it took to exit (its linger and
 * grace; the memory phase needs it gone).
 */
function warmShim(ctd) {
  sleep(SETTLE_MS);
  const pids = pidsWith(CISTA_SHIM, ctd.socket);
  const kib = shimsKiB(pids);
  const start = Date.now();
  while (pidsWith(CISTA_SHIM, ctd.socket).length > 0) {
    if (Date.now() - start > WARM_EXIT_TIMEOUT_MS) throw new Error(`cista's warm shim did not exit within ${WARM_EXIT_TIMEOUT_MS} ms`);
    sleep(100);
  }
  return { shims: pids.length, shimMiB: kib.rss / 1024, shimAnonMiB: kib.anon / 1024, exitedAfterS: (Date.now() - start) / 1000 };
}

/** N sleeping containers in one pod: MiB of the shims plus the containers' processes. */
function podMemory(ctd, runtime, shimPart, count) {
  const ids = Array.from({ length: count }, (_, i) => `mem-${runtime.split('.')[2]}-${i}`);
  const pod = ['--annotation', `io.kubernetes.cri.sandbox-id=pod-${runtime.split('.')[2]}`];
  try {
    for (const id of ids) {
      const r = spawnSync('ctr', ['--address', ctd.socket, '--namespace', ctd.namespace, 'run', '-d', ...pod, '--runtime', runtime, IMAGE, id, 'sleep', '1000'], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`ctr run -d --runtime ${runtime}: ${r.stderr}`);
    }
    sleep(SETTLE_MS);
    const shims = pidsWith(shimPart, ctd.socket);
    const shimKiB = shimsKiB(shims);
    const containerKiB = containerPids(ctd, ids).reduce((sum, pid) => sum + rssKiB(pid).rss, 0);
    return {
      shims: shims.length,
      shimMiB: shimKiB.rss / 1024,
      shimAnonMiB: shimKiB.anon / 1024,
      containersMiB: containerKiB / 1024,
      totalMiB: (shimKiB.rss + containerKiB) / 1024,
    };
  } finally {
    for (const id of ids) {
      spawnSync('ctr', ['--address', ctd.socket, '--namespace', ctd.namespace, 'task', 'delete', '--force', id]);
      spawnSync('ctr', ['--address', ctd.socket, '--namespace', ctd.namespace, 'containers', 'delete', id]);
    }
  }
}

async function main() {
  const iterations = option('iterations', 20);
  const warmup = option('warmup', 3);
  const podSize = option('pod', 20);
  const ctd = await Containerd.start();
  const times = { cista: [], runc: [] };
  let memory;
  let warm;
  try {
    for (let i = 0; i < warmup + iterations; i++) {
      const cista = timedRun(ctd, CISTA_RUNTIME, `bench-cista-${i}`);
      const runc = timedRun(ctd, RUNC_RUNTIME, `bench-runc-${i}`);
      if (i >= warmup) {
        times.cista.push(cista);
        times.runc.push(runc);
      }
    }
    warm = warmShim(ctd);
    memory = {
      cista: podMemory(ctd, CISTA_RUNTIME, CISTA_SHIM, podSize),
      runc: podMemory(ctd, RUNC_RUNTIME, 'containerd-shim-runc-v2', podSize),
    };
  } finally {
    await ctd.stop();
  }
  const result = {
    iterations,
    cistaMedianMs: Number(median(times.cista).toFixed(1)),
    runcMedianMs: Number(median(times.runc).toFixed(1)),
  };
  result.ratio = Number((result.cistaMedianMs / result.runcMedianMs).toFixed(2));
  result.warmShim = warm;
  result.memory = memory;
  result.memoryRatio = Number((memory.cista.totalMiB / memory.runc.totalMiB).toFixed(2));
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`ctr run --rm ${IMAGE} ID true, ${iterations} iterations (+${warmup} warm-up), medians:`);
  console.log(`  io.containerd.cista.v2  ${result.cistaMedianMs} ms`);
  console.log(`  io.containerd.runc.v2   ${result.runcMedianMs} ms`);
  console.log(`  ratio cista / runc      ${result.ratio}  (target <= 1.0: ${result.ratio <= 1 ? 'PASS' : 'MISS'})`);
  console.log(
    `cista's warm shim after the runs: ${warm.shims} shim(s) ${warm.shimMiB.toFixed(1)} MiB (anonymous ${warm.shimAnonMiB.toFixed(1)}), exited ${warm.exitedAfterS.toFixed(1)} s later`,
  );
  console.log(`${podSize} containers of sleep in one pod, RSS (MiB):`);
  for (const [name, m] of Object.entries(memory)) {
    console.log(
      `  ${name.padEnd(6)} ${m.shims} shim(s) ${m.shimMiB.toFixed(1)} (anonymous ${m.shimAnonMiB.toFixed(1)}) + containers ${m.containersMiB.toFixed(1)} = ${m.totalMiB.toFixed(1)}`,
    );
  }
  console.log(`  ratio cista / runc      ${result.memoryRatio}  (target < 1.0: ${result.memoryRatio < 1 ? 'PASS' : 'MISS'})`);
}

main().catch((e) => {
  console.error(e.stack ?? String(e));
  process.exit(1);
});
