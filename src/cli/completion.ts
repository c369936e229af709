import { CistaError } from '../engine/errors';
import type { CommandSpec } from './command';
import { writeStdout } from './output';

export const command: CommandSpec = {
  name: 'completion',
  summary: 'print a shell completion script (bash or zsh), generated from the same table as --help',
  options: {},
  positionals: [{ name: 'shell', required: true, description: 'bash or zsh' }],
  async run(args) {
    const shell = args.positionals[0];
    if (shell !== 'bash' && shell !== 'zsh') throw new CistaError(`completion: "${shell}" is not a shell cista completes: use bash or zsh`);
    // Loaded here: the table imports this module.
    const { COMMANDS, GLOBAL_OPTIONS } = await import('./commands');
    const { bashCompletion, zshCompletion } = await import('./completion-scripts');
    writeStdout(shell === 'bash' ? bashCompletion(COMMANDS, GLOBAL_OPTIONS) : zshCompletion(COMMANDS, GLOBAL_OPTIONS));
  },
};
