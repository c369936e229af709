import type { CommandSpec } from './command';

export const command: CommandSpec = {
  name: 'state',
  summary: 'print the state of a container as JSON',
  options: {},
  positionals: [{ name: 'container-id', required: true }],
  async run(args, cli) {
    const { containerState } = await import('../engine/operations/state');
    process.stdout.write(`${JSON.stringify(containerState(cli.globals.root, args.positionals[0]), null, '  ')}\n`);
  },
};
