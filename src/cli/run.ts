import { type CommandSpec, flag } from './command';
import { CREATE_OPTIONS, createOptions } from './create';

export const command: CommandSpec = {
  name: 'run',
  summary: 'create and start a container; in the foreground, wait and exit with its status',
  options: {
    ...CREATE_OPTIONS,
    detach: { type: 'boolean', short: 'd', description: 'return once the container has started' },
    keep: { type: 'boolean', description: 'do not delete the container after it exits' },
    'no-subreaper': { type: 'boolean', description: 'accepted for runc compatibility' },
  },
  positionals: [{ name: 'container-id', required: true }],
  async run(args, cli) {
    const { runContainer } = await import('../engine/operations/run');
    return runContainer({ ...createOptions(cli, args), detach: flag(args, 'detach'), keep: flag(args, 'keep') });
  },
};
