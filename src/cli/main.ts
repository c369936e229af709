import { parseArgs } from 'node:util';

import { CistaError } from '../engine/errors';
import { defaultRoot } from '../engine/caller';
import { argumentError, closest } from './argument-errors';
import type { CommandSpec, OptionSpec, ParsedArgs } from './command';
import { CliContext, type GlobalOptions } from './context';
import { COMMANDS, GLOBAL_OPTIONS, commandHelp, globalHelp } from './commands';
import { versionText } from './version';
import { writeStderr, writeStdout } from './output';

/** `--flag -1` as `--flag=-1`: no flag is a negative number, so it can only be the value (runc reads it so). */
function joinNegativeValues(args: string[], options: Record<string, OptionSpec>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const option = args[i].startsWith('--') ? options[args[i].slice(2)] : undefined;
    if (option?.type === 'string' && /^-\d+$/.test(args[i + 1] ?? '')) joined.push(`${args[i]}=${args[++i]}`);
    else joined.push(args[i]);
  }
  return joined;
}

function parseOptions(args: string[], options: Record<string, OptionSpec>, allowPositionals: boolean, where: string): ParsedArgs {
  try {
    const parsed = parseArgs({
      args: joinNegativeValues(args, options),
      options: Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.type, multiple: o.multiple === true, ...(o.short ? { short: o.short } : {}) }])),
      strict: true,
      allowPositionals,
    });
    return { options: parsed.values as ParsedArgs['options'], positionals: parsed.positionals, trailing: [] };
  } catch (e) {
    throw argumentError(e as Error, where, options, GLOBAL_OPTIONS);
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
  const args = { ...parseOptions(rest, options, true, c.name), trailing };
  if (args.options.help === true) {
    writeStdout(commandHelp(c));
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
    parsedGlobals = parseOptions(globals, GLOBAL_OPTIONS, false, '');
    cli = new CliContext(globalOptions(parsedGlobals));
  } catch (e) {
    writeStderr(`cista: ${(e as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  if (parsedGlobals.options.version === true) {
    writeStdout(versionText());
    return;
  }
  const c = COMMANDS.find((x) => x.name === name);
  if (parsedGlobals.options.help === true || name === undefined || name === 'help') {
    writeStdout(globalHelp());
    if (name === undefined && parsedGlobals.options.help !== true) process.exitCode = 1;
    return;
  }
  try {
    if (c === undefined) {
      const near = closest(name, COMMANDS.map((x) => x.name));
      throw new CistaError(`unknown command ${JSON.stringify(name)}${near === undefined ? '' : ` (did you mean ${near}?)`}; see cista --help`);
    }
    process.exitCode = await dispatch(cli, c, rest);
  } catch (e) {
    process.exitCode = cli.fail(e);
  }
}
