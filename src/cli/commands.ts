/**
 * The command table: every subcommand with its flags, and the global flags. The parser (main.ts),
 * --help, shell completion and the man page are all generated from it.
 */
import type { CommandSpec, OptionSpec } from './command';
import { command as check } from './check';
import { command as completion } from './completion';
import { command as create } from './create';
import { command as del } from './delete';
import { command as events } from './events';
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

// node:util's parseArgs rather than a CLI framework: every call is a fresh Node start, and a
// framework's load time alone was a sixth of a `cista state` (see README, "Start-up").
export const COMMANDS: readonly CommandSpec[] = [spec, create, run, start, exec, state, kill, pause, resume, update, events, del, list, ps, features, check, completion];

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  root: { type: 'string', value: '<dir>', description: 'root directory for the containers\' state (default /run/cista; rootless: $XDG_RUNTIME_DIR/cista)' },
  log: { type: 'string', value: '<file>', description: 'log file: created first; every error also goes there' },
  'log-format': { type: 'string', value: 'text|json', description: 'log format (default text)' },
  debug: { type: 'boolean', description: 'log debug messages, and stack traces of internal errors' },
  'systemd-cgroup': { type: 'boolean', description: 'use the systemd cgroup driver (not supported yet)' },
  version: { type: 'boolean', short: 'v', description: 'print the version' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

export const EXAMPLES = `Examples:
  mkdir -p bundle/rootfs && cista spec --bundle bundle     write runc's default config.json
  cista run --bundle bundle c1                             run it in the foreground
  cista create --bundle bundle c1 && cista start c1        the two-step lifecycle containerd uses
  cista state c1; cista kill c1 KILL; cista delete c1      inspect, signal, remove
`;

export function optionLines(options: Record<string, OptionSpec>): string {
  return Object.entries(options)
    .map(([name, o]) => {
      const names = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
      return `  ${names.padEnd(30)} ${o.description}`;
    })
    .join('\n');
}

export function globalHelp(): string {
  const commands = COMMANDS.map((c) => `  ${c.name.padEnd(30)} ${c.summary}`).join('\n');
  return `Usage: cista [global options] <command> [options] [arguments]\n\ncista: a low-level OCI container runtime, a drop-in for runc\n\nCommands:\n${commands}\n\nGlobal options:\n${optionLines(GLOBAL_OPTIONS)}\n\n${EXAMPLES}`;
}

export function commandHelp(c: CommandSpec): string {
  const positionals = c.trailing === undefined ? c.positionals : [...c.positionals, c.trailing];
  const args = positionals.map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`)).join(' ');
  return `Usage: cista ${c.name} [options] ${args}\n\n${c.summary}\n\nOptions:\n${optionLines({ ...c.options, help: { type: 'boolean', short: 'h', description: 'show help' } })}\n`;
}

