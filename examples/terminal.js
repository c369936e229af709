'use strict';
// A shell in a container on a terminal: the pty master is a duplex stream with resize(). At a
// terminal it is interactive (type `exit` to leave); otherwise it runs a short script. Run as root:
// node examples/terminal.js
const { Runtime, defaultSpec } = require('cista');
const { busyboxRootfs } = require('./rootfs');

async function main() {
  const runtime = new Runtime();
  const spec = defaultSpec({ rootless: false }); // process.terminal is true in the default config
  spec.process.args = ['sh'];
  const container = await runtime.create(`example-tty-${process.pid}`, { rootfs: busyboxRootfs(), spec });
  try {
    await container.start();
    const terminal = container.terminal;
    if (process.stdin.isTTY) {
      process.stdin.setRawMode(true);
      const resize = () => terminal.resize(process.stdout.columns, process.stdout.rows);
      resize();
      process.stdout.on('resize', resize);
      process.stdin.pipe(terminal);
      terminal.pipe(process.stdout);
      await container.wait();
      process.stdin.setRawMode(false);
      process.stdin.unpipe(terminal);
      process.stdin.pause();
      process.stdout.off('resize', resize);
    } else {
      terminal.resize(120, 30);
      terminal.end('stty size; tty; exit 4\n');
      let screen = '';
      for await (const text of terminal.setEncoding('utf8')) screen += text;
      const lines = screen.split('\r\n');
      console.log(`window: ${lines[lines.length - 3]}, terminal: ${lines[lines.length - 2]}`);
    }
    console.log(`shell exited with ${(await container.wait()).exitCode}`);
  } finally {
    await container.delete({ force: true });
  }
}

main().catch((e) => {
  console.error(`${e.code ?? e.name}: ${e.message}`);
  process.exit(1);
});
