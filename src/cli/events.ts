import { type CommandSpec, flag, stringOption } from './command';
import { parseDuration } from './units';
import { writeStdout } from './output';

export const command: CommandSpec = {
  name: 'events',
  summary: 'print a container\'s resource usage and OOM events as JSON lines (runc\'s format)',
  options: {
    stats: { type: 'boolean', description: 'print the resource usage once, then exit' },
    interval: { type: 'string', value: '<duration>', description: 'how often to print the usage (default 5s)' },
  },
  positionals: [{ name: 'container-id', required: true }],
  async run(args, cli) {
    const intervalMs = parseDuration('interval', stringOption(args, 'interval') ?? '5s');
    const { containerEvents } = await import('../engine/operations/events');
    await containerEvents(cli.globals.root, args.positionals[0], {
      statsOnce: flag(args, 'stats'),
      intervalMs,
      write: (line) => writeStdout(`${line}\n`),
      warn: (message) => cli.log.warn(message),
    });
  },
};
