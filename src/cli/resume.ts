import type { CommandSpec } from './command';

export const command: CommandSpec = {
  name: 'resume',
  summary: 'thaw a paused container',
  options: {},
  positionals: [{ name: 'container-id', required: true }],
  async run(args, cli) {
    const { resumeContainer } = await import('../engine/operations/pause');
    resumeContainer(cli.globals.root, args.positionals[0]);
  },
};
