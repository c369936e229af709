/** Starts test/helpers/seccomp-agent.py, the agent the seccomp notification tests listen with. */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { REPO } from './cli';

export const SECCOMP_AGENT = path.join(REPO, 'test', 'helpers', 'seccomp-agent.py');

/**
 * The agent listening at `socket`, once it listens; it appends each container process state it
 * receives to `states` and answers every notified syscall with success.
 */
export function startSeccompAgent(socket: string, states: string): ChildProcess {
  const agent = spawn('python3', [SECCOMP_AGENT, socket, states], { stdio: ['ignore', 'inherit', 'inherit'] });
  const deadline = Date.now() + 10_000;
  while (!fs.existsSync(socket)) {
    if (Date.now() > deadline || agent.exitCode !== null) throw new Error('the seccomp agent did not start');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
  return agent;
}
