import type { CliContext } from './context';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in help, e.g. "<dir>". */
  value?: string;
  description: string;
  /** May be given several times; the values come as an array. */
  multiple?: boolean;
}

export interface PositionalSpec {
  name: string;
  required: boolean;
  description?: string;
}

export interface ParsedArgs {
  options: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  /** With CommandSpec.trailing: the verbatim rest of the command line. */
  trailing: string[];
}

/** One subcommand: its flags, runc's names, and what it does. The CLI's help is generated from these. */
export interface CommandSpec {
  name: string;
  summary: string;
  options: Record<string, OptionSpec>;
  positionals: PositionalSpec[];
  /**
   * Everything after the positionals, taken verbatim (exec's command and its own flags); as with
   * runc, option parsing stops at the first positional then.
   */
  trailing?: PositionalSpec;
  /** Returns the exit code (0 when nothing is returned). */
  run(args: ParsedArgs, cli: CliContext): Promise<number | void>;
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(args: ParsedArgs, name: string): string[] {
  const value = args.options[name];
  return Array.isArray(value) ? value : [];
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}
