import { type CommandSpec, flag } from './command';

export const command: CommandSpec = {
  name: 'kill',
  summary: 'send a signal (default SIGTERM) to a container\'s init',
  options: {
    all: { type: 'boolean', short: 'a', description: 'send it to every process in the container\'s cgroup' },
  },
  positionals: [
    { name: 'container-id', required: true },
    { name: 'signal', required: false, description: 'a name (KILL, SIGKILL) or a number' },
  ],
  async run(args, cli) {
    const { parseSignal } = await import('../engine/spec/signals');
    const { killContainer } = await import('../engine/operations/kill');
    killContainer(cli.globals.root, args.positionals[0], parseSignal(args.positionals[1] ?? 'SIGTERM'), flag(args, 'all'));
  },
};
