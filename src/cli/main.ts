import { parseArgs } from 'node:util';

import { CistaError } from '../engine/errors';
import { defaultRoot } from '../engine/caller';
import type { CommandSpec, OptionSpec, ParsedArgs } from './command';
import { CliContext, type GlobalOptions } from './context';
import { command as create } from './create';
import { command as del } from './delete';
import { command as exec } from './exec';
import { command as features } from './features';
import { command as kill } from './kill';
import { command as list } from './list';
import { command as pause } from './pause';
import { command as ps } from './ps';
import { command as resume } from './resume';
import { command as run } from './run';
import { command as spec } from './spec';
import { command as start } from './start';
import { command as state } from './state';
import { command as update } from './update';
import { versionText } from './version';

// node:util's parseArgs rather than a CLI framework: every call is a fresh Node start, and a
// framework's load time alone was a sixth of a `cista state` (see README, "Start-up").
const COMMANDS: readonly CommandSpec[] = [spec, create, run, start, exec, state, kill, pause, resume, update, del, list, ps, features];

const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  root: { type: 'string', value: '<dir>', description: 'root directory for the containers\' state (default /run/cista; rootless: $XDG_RUNTIME_DIR/cista)' },
  log: { type: 'string', value: '<file>', description: 'log file: created first; every error also goes there' },
  'log-format': { type: 'string', value: 'text|json', description: 'log format (default text)' },
  debug: { type: 'boolean', description: 'log debug messages, and stack traces of internal errors' },
  'systemd-cgroup': { type: 'boolean', description: 'use the systemd cgroup driver (not supported yet)' },
  version: { type: 'boolean', short: 'v', description: 'print the version' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

const EXAMPLES = `Examples:
  mkdir -p bundle/rootfs && cista spec --bundle bundle     write runc's default config.json
  cista run --bundle bundle c1                             run it in the foreground
  cista create --bundle bundle c1 && cista start c1        the two-step lifecycle containerd uses
  cista state c1; cista kill c1 KILL; cista delete c1      inspect, signal, remove
`;

function optionLines(options: Record<string, OptionSpec>): string {
  return Object.entries(options)
    .map(([name, o]) => {
      const names = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
      return `  ${names.padEnd(30)} ${o.description}`;
    })
    .join('\n');
}

function globalHelp(): string {
  const commands = COMMANDS.map((c) => `  ${c.name.padEnd(30)} ${c.summary}`).join('\n');
  return `Usage: cista [global options] <command> [options] [arguments]\n\ncista: a low-level OCI container runtime, a drop-in for runc\n\nCommands:\n${commands}\n\nGlobal options:\n${optionLines(GLOBAL_OPTIONS)}\n\n${EXAMPLES}`;
}

function commandHelp(c: CommandSpec): string {
  const positionals = c.trailing === undefined ? c.positionals : [...c.positionals, c.trailing];
  const args = positionals.map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`)).join(' ');
  return `Usage: cista ${c.name} [options] ${args}\n\n${c.summary}\n\nOptions:\n${optionLines({ ...c.options, help: { type: 'boolean', short: 'h', description: 'show help' } })}\n`;
}

/** node:util's parseArgs errors, some of several lines, as one line naming the flag. */
function parseErrorLine(error: Error & { code?: string }): string {
  const ambiguous = /^Option '(-[^']*)' argument is ambiguous/.exec(error.message);
  if (ambiguous !== null) return `${ambiguous[1]}: a value starting with "-" is written ${ambiguous[1]}=VALUE`;
  return error.message.split('\n')[0];
}

function parseOptions(args: string[], options: Record<string, OptionSpec>, allowPositionals: boolean): ParsedArgs {
  try {
    const parsed = parseArgs({
      args,
      options: Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.type, multiple: o.multiple === true, ...(o.short ? { short: o.short } : {}) }])),
      strict: true,
      allowPositionals,
    });
    return { options: parsed.values as ParsedArgs['options'], positionals: parsed.positionals, trailing: [] };
  } catch (e) {
    throw new CistaError(parseErrorLine(e as Error & { code?: string }));
  }
}

/** The index of the first token that is neither one of `options` nor an option's value; argv.length if none. */
function firstPositional(argv: string[], options: Record<string, OptionSpec>): number {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') return i + 1;
    if (!token.startsWith('-') || token === '-') return i;
    const option = token.startsWith('--')
      ? options[token.slice(2).split('=')[0]]
      : Object.values(options).find((o) => o.short === token.slice(1));
    if (option?.type === 'string' && !token.includes('=')) i++;
  }
  return argv.length;
}

/** Splits argv at the subcommand, the first token that is neither a global option nor its value. */
function splitAtCommand(argv: string[]): { globals: string[]; name: string | undefined; rest: string[] } {
  const i = firstPositional(argv, GLOBAL_OPTIONS);
  return i < argv.length ? { globals: argv.slice(0, i), name: argv[i], rest: argv.slice(i + 1) } : { globals: argv, name: undefined, rest: [] };
}

function globalOptions(parsed: ParsedArgs): GlobalOptions {
  const logFormat = parsed.options['log-format'] ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json') throw new CistaError(`--log-format must be text or json, not ${JSON.stringify(logFormat)}`);
  return {
    root: (parsed.options.root as string | undefined) ?? defaultRoot(),
    log: parsed.options.log as string | undefined,
    logFormat,
    debug: parsed.options.debug === true,
    systemdCgroup: parsed.options['systemd-cgroup'] === true,
  };
}

async function dispatch(cli: CliContext, c: CommandSpec, rest: string[]): Promise<number> {
  const options: Record<string, OptionSpec> = { ...c.options, help: { type: 'boolean', short: 'h', description: '' } };
  let trailing: string[] = [];
  if (c.trailing !== undefined) {
    // Options, the positionals, then the verbatim rest: find where the last positional ends.
    let end = 0;
    for (let n = 0; n < c.positionals.length && end < rest.length; n++) end += firstPositional(rest.slice(end), options) + 1;
    trailing = rest.slice(end);
    rest = rest.slice(0, end);
  }
  const args = { ...parseOptions(rest, options, true), trailing };
  if (args.options.help === true) {
    process.stdout.write(commandHelp(c));
    return 0;
  }
  const required = c.positionals.filter((p) => p.required).length;
  if (args.positionals.length < required) throw new CistaError(`${c.name}: missing argument <${c.positionals[args.positionals.length].name}>`);
  if (args.positionals.length > c.positionals.length) throw new CistaError(`${c.name}: unexpected argument ${JSON.stringify(args.positionals[c.positionals.length])}`);
  cli.log.debug(`${c.name} ${rest.join(' ')}`);
  const code = (await c.run(args, cli)) ?? 0;
  cli.log.debug(`${c.name} done, exit code ${code}`);
  return code;
}

export async function main(argv: string[]): Promise<void> {
  const { globals, name, rest } = splitAtCommand(argv.slice(2));
  let cli: CliContext;
  let parsedGlobals: ParsedArgs;
  try {
    parsedGlobals = parseOptions(globals, GLOBAL_OPTIONS, false);
    cli = new CliContext(globalOptions(parsedGlobals));
  } catch (e) {
    process.stderr.write(`cista: ${(e as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  if (parsedGlobals.options.version === true) {
    process.stdout.write(versionText());
    return;
  }
  const c = COMMANDS.find((x) => x.name === name);
  if (parsedGlobals.options.help === true || name === undefined || name === 'help') {
    process.stdout.write(globalHelp());
    if (name === undefined && parsedGlobals.options.help !== true) process.exitCode = 1;
    return;
  }
  try {
    if (c === undefined) throw new CistaError(`unknown command ${JSON.stringify(name)} (see cista --help)`);
    process.exitCode = await dispatch(cli, c, rest);
  } catch (e) {
    process.exitCode = cli.fail(e);
  }
}
