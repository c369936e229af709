import { type Command, Option } from 'commander';

import type { OciState } from '../engine/state/status';
import type { CliContext } from './context';

function table(states: OciState[]): string {
  const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER']];
  for (const s of states) rows.push([s.id, String(s.pid), s.status, s.bundle, s.created, s.owner]);
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)));
  return rows.map((r) => r.map((cell, col) => (col < r.length - 1 ? cell.padEnd(widths[col] + 3) : cell)).join('')).join('\n') + '\n';
}

export function register(program: Command, cli: CliContext): void {
  program
    .command('list')
    .description('list the containers under --root')
    .addOption(new Option('-f, --format <format>', 'table or json').choices(['table', 'json']).default('table'))
    .option('-q, --quiet', 'print only the container ids', false)
    .action((flags: { format: 'table' | 'json'; quiet: boolean }) =>
      cli.run(async () => {
        const { listContainers } = await import('../engine/operations/list');
        const states = listContainers(cli.globals.root);
        if (flags.quiet) process.stdout.write(states.map((s) => `${s.id}\n`).join(''));
        else if (flags.format === 'json') process.stdout.write(`${JSON.stringify(states)}\n`);
        else process.stdout.write(table(states));
      }),
    );
}
