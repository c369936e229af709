import type { CommandSpec } from './command';

export const command: CommandSpec = {
  name: 'pause',
  summary: 'freeze every process of a container',
  options: {},
  positionals: [{ name: 'container-id', required: true }],
  async run(args, cli) {
    const { pauseContainer } = await import('../engine/operations/pause');
    pauseContainer(cli.globals.root, args.positionals[0]);
  },
};
