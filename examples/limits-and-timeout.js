'use strict';
// Resource limits from the config (memory, pids), a limit changed while it runs, the resource usage,
// an out-of-memory event, and a command that is killed when it overruns its timeout. Run as root:
// node examples/limits-and-timeout.js
const { Runtime, defaultSpec } = require('cista');
const { busyboxRootfs } = require('./rootfs');

/** Reads a cgroup file of the container: cgroup v2 has one directory, v1 one per controller. */
const cgroupFile = (controller, file) => `cat /sys/fs/cgroup/${file} 2>/dev/null || cat /sys/fs/cgroup/${controller}/${file}`;

async function main() {
  const runtime = new Runtime();
  const spec = defaultSpec({ rootless: false });
  spec.process.terminal = false;
  spec.process.args = ['sleep', '1000000'];
  spec.linux.resources = { ...spec.linux.resources, memory: { limit: 64 * 1024 * 1024, swap: 64 * 1024 * 1024 }, pids: { limit: 32 } };
  const container = await runtime.create(`example-limits-${process.pid}`, { rootfs: busyboxRootfs(), spec });
  try {
    await container.start();
    const pidsMax = await container.exec({ args: ['sh', '-c', cgroupFile('pids', 'pids.max')] });
    console.log(`pids limit: ${pidsMax.stdout.trim()}`);
    await container.update({ pids: { limit: 16 } });
    const updated = await container.exec({ args: ['sh', '-c', cgroupFile('pids', 'pids.max')] });
    console.log(`pids limit after update: ${updated.stdout.trim()}`);

    const { memory, pids } = await container.stats();
    console.log(`memory limit: ${memory.usage.limit / 1024n / 1024n} MiB, processes: ${pids.current}`);
    // tail keeps a file without newlines whole: it takes all the memory, and the OOM killer ends it.
    const oom = new Promise((resolve) => container.once('oom', resolve));
    const greedy = await container.exec({ args: ['tail', '/dev/zero'] });
    await oom;
    console.log(`out of memory: tail got ${greedy.signal}`);

    try {
      await container.exec({ args: ['sleep', '60'], timeout: 500 });
    } catch (e) {
      console.log(`sleep 60 with a 500 ms timeout: ${e.name}`);
    }
  } finally {
    await container.delete({ force: true });
  }
}

main().catch((e) => {
  console.error(`${e.code ?? e.name}: ${e.message}`);
  process.exit(1);
});
