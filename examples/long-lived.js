'use strict';
// One long-lived container and several processes run in it, one after another and at once, each with
// its own output; then the container is stopped and deleted. Run as root: node examples/long-lived.js
const { Runtime, defaultSpec } = require('cista');
const { busyboxRootfs } = require('./rootfs');

async function main() {
  const runtime = new Runtime();
  const spec = defaultSpec({ rootless: false });
  spec.process.terminal = false;
  spec.process.args = ['sleep', '1000000'];
  const container = await runtime.create(`example-box-${process.pid}`, { rootfs: busyboxRootfs(), spec });
  try {
    await container.start();
    console.log(`container ${container.id}: ${(await container.state()).status}, init pid ${container.pid}`);

    const { stdout: hostname } = await container.exec({ args: ['hostname'] });
    console.log(`hostname: ${hostname.trim()}`);
    const { stdout: upper } = await container.exec({ args: ['tr', 'a-z', 'A-Z'], input: 'fed through stdin\n' });
    console.log(`tr: ${upper.trim()}`);

    // Three at once: each waits on Node's event loop, none holds a thread.
    const sums = await Promise.all([1, 2, 3].map((n) => container.exec({ args: ['sh', '-c', `echo $((${n} * 100))`] })));
    console.log(`at once: ${sums.map((r) => r.stdout.trim()).join(' ')}`);

    // A process with streams, like child_process.spawn.
    const shell = await container.spawn({ args: ['sh'], stdio: ['pipe', 'pipe', 'inherit'] });
    shell.stdin.end('echo $(( 6 * 7 ))\nexit 5\n');
    let said = '';
    for await (const text of shell.stdout.setEncoding('utf8')) said += text;
    console.log(`sh said ${said.trim()}, exited with ${(await shell.wait()).exitCode}`);
  } finally {
    await container.delete({ force: true });
    console.log('deleted');
  }
}

main().catch((e) => {
  console.error(`${e.code ?? e.name}: ${e.message}`);
  process.exit(1);
});
