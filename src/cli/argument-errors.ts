/** parseArgs' errors in cista's words: one line, the flag named, and the nearest real flag offered. */
import { CistaError } from '../engine/errors';
import type { OptionSpec } from './command';

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The candidate closest to `word` if it is close enough to be a typo of it (or `word` is its prefix). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = candidate.startsWith(word) && word.length >= 3 ? 1 : distance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * Rewrites a parseArgs error. `where` is "create" (a subcommand's flags) or "" (the global ones);
 * `globalOptions` lets a global flag written after the subcommand get the right advice.
 */
export function argumentError(error: Error & { code?: string }, where: string, options: Record<string, OptionSpec>, globalOptions: Record<string, OptionSpec>): CistaError {
  const prefix = where === '' ? '' : `${where}: `;
  const help = where === '' ? 'cista --help' : `cista ${where} --help`;
  const quoted = /'(-[^' ]*)/.exec(error.message)?.[1] ?? '';
  const name = quoted.replace(/^-+/, '');
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      if (where !== '' && globalOptions[name] !== undefined) {
        return new CistaError(`${prefix}${quoted} is a global flag: put it before the command (cista ${quoted} ... ${where})`);
      }
      const long = quoted.startsWith('--') ? closest(name, Object.keys(options)) : undefined;
      return new CistaError(`${prefix}unknown flag ${quoted}${long === undefined ? '' : ` (did you mean --${long}?)`}; see ${help}`);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const long = /--([\w-]+)/.exec(error.message)?.[1] ?? name;
      const option = options[long];
      if (option?.type === 'boolean') return new CistaError(`${prefix}--${long} takes no value`);
      if (/ambiguous/.test(error.message)) return new CistaError(`${prefix}--${long}: a value starting with "-" is written --${long}=VALUE`);
      return new CistaError(`${prefix}--${long} needs a value${option?.value ? ` (${option.value.replace(/^<(.*)>$/, '$1')})` : ''}`);
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new CistaError(`${prefix}unexpected argument ${/'([^']*)'/.exec(error.message)?.[1] ?? ''}; see ${help}`);
    default:
      return new CistaError(`${prefix}${error.message.split('\n')[0]}`);
  }
}
