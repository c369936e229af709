import { CistaError } from '../engine/errors';
import type { OciState } from '../engine/state/status';
import { type CommandSpec, flag, stringOption } from './command';
import { writeStdout } from './output';

function table(states: OciState[]): string {
  const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER']];
  for (const s of states) rows.push([s.id, String(s.pid), s.status, s.bundle, s.created, s.owner]);
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return `${rows.map((r) => r.map((cell, col) => (col < r.length - 1 ? cell.padEnd(widths[col] + 3) : cell)).join('')).join('\n')}\n`;
}

export const command: CommandSpec = {
  name: 'list',
  summary: 'list the containers under --root',
  options: {
    format: { type: 'string', short: 'f', value: 'table|json', description: 'output format (default table)' },
    quiet: { type: 'boolean', short: 'q', description: 'print only the container ids' },
  },
  positionals: [],
  async run(args, cli) {
    const format = stringOption(args, 'format') ?? 'table';
    if (format !== 'table' && format !== 'json') throw new CistaError(`--format must be table or json, not ${JSON.stringify(format)}`);
    const { listContainers } = await import('../engine/operations/list');
    const states = listContainers(cli.globals.root, (message) => cli.log.warn(message));
    if (flag(args, 'quiet')) writeStdout(states.map((s) => `${s.id}\n`).join(''));
    else if (format === 'json') writeStdout(`${JSON.stringify(states)}\n`);
    else writeStdout(table(states));
  },
};
