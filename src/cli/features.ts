import type { CommandSpec } from './command';
import { writeStdout } from './output';

export const command: CommandSpec = {
  name: 'features',
  summary: 'print what this runtime implements, as the runtime-spec\'s features JSON',
  options: {},
  positionals: [],
  async run() {
    const { runtimeFeatures } = await import('../engine/operations/features');
    writeStdout(`${JSON.stringify(runtimeFeatures(), null, 2)}\n`);
  },
};
