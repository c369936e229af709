import * as fs from 'node:fs';

import { CistaError } from '../engine/errors';
import { type CommandSpec, stringOption } from './command';
import { writeStdout } from './output';

function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

export const command: CommandSpec = {
  name: 'ps',
  summary: 'list the processes running in a container',
  options: {
    format: { type: 'string', short: 'f', value: 'table|json', description: 'json: an array of host pids (default table)' },
  },
  positionals: [{ name: 'container-id', required: true }],
  async run(args, cli) {
    const format = stringOption(args, 'format') ?? 'table';
    if (format !== 'table' && format !== 'json') throw new CistaError(`--format must be table or json, not ${JSON.stringify(format)}`);
    const { containerPids } = await import('../engine/operations/ps');
    const pids = containerPids(cli.globals.root, args.positionals[0]);
    if (format === 'json') writeStdout(`${JSON.stringify(pids)}\n`);
    else writeStdout(`PID\tCMD\n${pids.map((pid) => `${pid}\t${commandLine(pid)}\n`).join('')}`);
  },
};
