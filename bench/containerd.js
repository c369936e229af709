#!/usr/bin/env node
'use strict';
// containerd-shim-cista-v2 against containerd's runc shim: `ctr run --rm IMAGE ID true` through a
// private containerd 1.6 (test/helpers/containerd.js: own config, root, state and socket; a busybox
// image imported), runtimes io.containerd.cista.v2 and io.containerd.runc.v2 interleaved per iteration.
//
//   sudo node bench/containerd.js [--iterations N] [--warmup N] [--json]
//
// Prints medians and the ratio cista / runc (target <= 1.0). A measurement: exits 0 when the target
// is missed, non-zero only on an error. containerd and everything it made are removed at the end.

const { spawnSync } = require('node:child_process');

const { CISTA_RUNTIME, Containerd, IMAGE, RUNC_RUNTIME } = require('../test/helpers/containerd.js');

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

async function main() {
  const iterations = option('iterations', 20);
  const warmup = option('warmup', 3);
  const ctd = await Containerd.start();
  const times = { cista: [], runc: [] };
  try {
    for (let i = 0; i < warmup + iterations; i++) {
      const cista = timedRun(ctd, CISTA_RUNTIME, `bench-cista-${i}`);
      const runc = timedRun(ctd, RUNC_RUNTIME, `bench-runc-${i}`);
      if (i >= warmup) {
        times.cista.push(cista);
        times.runc.push(runc);
      }
    }
  } finally {
    await ctd.stop();
  }
  const result = {
    iterations,
    cistaMedianMs: Number(median(times.cista).toFixed(1)),
    runcMedianMs: Number(median(times.runc).toFixed(1)),
  };
  result.ratio = Number((result.cistaMedianMs / result.runcMedianMs).toFixed(2));
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(`ctr run --rm ${IMAGE} ID true, ${iterations} iterations (+${warmup} warm-up), medians:`);
  console.log(`  io.containerd.cista.v2  ${result.cistaMedianMs} ms`);
  console.log(`  io.containerd.runc.v2   ${result.runcMedianMs} ms`);
  console.log(`  ratio cista / runc      ${result.ratio}  (target <= 1.0: ${result.ratio <= 1 ? 'PASS' : 'MISS'})`);
}

main().catch((e) => {
  console.error(e.stack ?? String(e));
  process.exit(1);
});
