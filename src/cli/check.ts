import { CistaError } from '../engine/errors';
import { type CommandSpec, stringOption } from './command';
import { writeStdout } from './output';

export const command: CommandSpec = {
  name: 'check',
  summary: 'can cista run containers on this host, and with what: each check with a verdict, its meaning and the fix',
  options: {
    format: { type: 'string', short: 'f', value: 'text|json', description: 'output format (default text)' },
  },
  positionals: [],
  async run(args) {
    const format = stringOption(args, 'format') ?? 'text';
    if (format !== 'text' && format !== 'json') throw new CistaError(`--format must be text or json, not "${format}"`);
    const { probeHost } = await import('../engine/check/probes');
    const { checkHost, formatReport } = await import('../engine/check/checks');
    const report = checkHost(probeHost());
    writeStdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    return report.canRunContainers ? 0 : 1;
  },
};
