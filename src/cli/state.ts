import type { CommandSpec } from './command';
import { writeStdout } from './output';

export const command: CommandSpec = {
  name: 'state',
  summary: 'print the state of a container as JSON',
  options: {},
  positionals: [{ name: 'container-id', required: true }],
  async run(args, cli) {
    const { containerState } = await import('../engine/operations/state');
    writeStdout(`${JSON.stringify(containerState(cli.globals.root, args.positionals[0]), null, '  ')}\n`);
  },
};
