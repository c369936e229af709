import { type CommandSpec, flag, stringOption } from './command';

export const command: CommandSpec = {
  name: 'spec',
  summary: 'write a new config.json with runc\'s defaults into the bundle',
  options: {
    bundle: { type: 'string', short: 'b', value: '<dir>', description: 'the bundle directory (default: the current one)' },
    rootless: { type: 'boolean', description: 'a configuration for a rootless container' },
  },
  positionals: [],
  async run(args) {
    const { writeDefaultSpec } = await import('../engine/operations/spec');
    writeDefaultSpec(stringOption(args, 'bundle') ?? '.', flag(args, 'rootless'));
  },
};
