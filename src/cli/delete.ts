import { type CommandSpec, flag } from './command';

export const command: CommandSpec = {
  name: 'delete',
  summary: 'delete a stopped container and everything it holds',
  options: {
    force: { type: 'boolean', short: 'f', description: 'kill it first if it still runs; succeed if it does not exist' },
  },
  positionals: [{ name: 'container-id', required: true }],
  async run(args, cli) {
    const { deleteContainer } = await import('../engine/operations/delete');
    deleteContainer(cli.globals.root, args.positionals[0], flag(args, 'force'), (message) => cli.log.warn(message));
  },
};
