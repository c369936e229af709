import type { CommandSpec } from './command';

export const command: CommandSpec = {
  name: 'start',
  summary: 'start a created container',
  options: {},
  positionals: [{ name: 'container-id', required: true }],
  async run(args, cli) {
    const { startContainer } = await import('../engine/operations/start');
    startContainer(cli.globals.root, args.positionals[0], (message) => cli.log.warn(message));
  },
};
