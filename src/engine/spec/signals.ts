/** Signal names and numbers for `kill` and the like (Linux x86_64 numbering). */
import { CistaError } from '../errors';

const SIGRTMIN = 34;
const SIGRTMAX = 64;

function realtimeSignals(): Record<string, number> {
  const signals: Record<string, number> = { SIGRTMIN, SIGRTMAX };
  for (let offset = 1; offset < SIGRTMAX - SIGRTMIN; offset++) signals[`SIGRTMIN+${offset}`] = SIGRTMIN + offset;
  return signals;
}

/** Signal name (with the SIG prefix) to number; aliases such as SIGIOT and SIGPOLL included. */
export const SIGNALS: Readonly<Record<string, number>> = Object.freeze({
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGILL: 4,
  SIGTRAP: 5,
  SIGABRT: 6,
  SIGIOT: 6,
  SIGBUS: 7,
  SIGFPE: 8,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGSEGV: 11,
  SIGUSR2: 12,
  SIGPIPE: 13,
  SIGALRM: 14,
  SIGTERM: 15,
  SIGSTKFLT: 16,
  SIGCHLD: 17,
  SIGCLD: 17,
  SIGCONT: 18,
  SIGSTOP: 19,
  SIGTSTP: 20,
  SIGTTIN: 21,
  SIGTTOU: 22,
  SIGURG: 23,
  SIGXCPU: 24,
  SIGXFSZ: 25,
  SIGVTALRM: 26,
  SIGPROF: 27,
  SIGWINCH: 28,
  SIGIO: 29,
  SIGPOLL: 29,
  SIGPWR: 30,
  SIGSYS: 31,
  ...realtimeSignals(),
});

/**
 * A signal as users write it: a number ("9"), or a name with or without the SIG prefix in any case
 * ("KILL", "SIGKILL", "sigkill", "RTMIN+3"), as runc accepts. Numbers run from 0 (probe only) to SIGRTMAX.
 */
export function parseSignal(text: string): number {
  if (/^[0-9]+$/.test(text)) {
    const signal = Number(text);
    if (signal <= SIGRTMAX) return signal;
  } else {
    const name = text.toUpperCase();
    const signal = SIGNALS[name.startsWith('SIG') ? name : `SIG${name}`];
    if (signal !== undefined) return signal;
  }
  throw new CistaError(`unknown signal ${JSON.stringify(text)}`);
}
