/**
 * Seccomp notification: SCMP_ACT_NOTIFY rules, linux.seccomp.listenerPath and listenerMetadata. A
 * small agent (test/helpers/seccomp-agent.py) listens at the path, records the container process
 * state it receives with the notify fd, and answers every notified syscall with success without
 * performing it: a notified mkdir "succeeds" and no directory appears.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { type Config, Scratch } from '../helpers/bundle';
import { cista } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';
import { SECCOMP_AGENT, startSeccompAgent } from '../helpers/seccomp-agent';

let scratch: Scratch;
let agent: ChildProcess | undefined;
let counter = 0;

const MKDIR = 'mkdir /tmp/x; echo "mkdir=$?"; if [ -d /tmp/x ]; then echo made; else echo not-made; fi';

/** Starts the agent; returns its socket and the file it appends the states it receives to. */
function startAgent(): { socket: string; states: string } {
  const socket = path.join(scratch.dir, `agent${counter}.sock`);
  const states = path.join(scratch.dir, `states${counter}.jsonl`);
  agent = startSeccompAgent(socket, states);
  return { socket, states };
}

function receivedStates(file: string): Array<Record<string, any>> {
  return fs.readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}

function notifying(socket: string, edit: (c: Config) => void = () => {}) {
  return (c: Config) => {
    c.root.readonly = false;
    c.linux.seccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      listenerPath: socket,
      listenerMetadata: 'agent-metadata',
      syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_NOTIFY' }],
      // Notified processes stay killable while the agent thinks (Linux 5.19).
      flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],
    };
    edit(c);
  };
}

beforeAll(() => {
  requireRoot();
  requireFile(SECCOMP_AGENT, 'the test seccomp agent');
  scratch = new Scratch('seccomp-notify');
});
afterEach(() => {
  agent?.kill('SIGKILL');
  agent = undefined;
});
afterAll(() => scratch.cleanup());

describe('seccomp notification', () => {
  it('sends the notify fd and the container process state to the listener, whose answers the process gets', () => {
    const { socket, states } = startAgent();
    const id = `notify${counter++}`;
    const bundle = scratch.bundle(id, ['sh', '-c', MKDIR], notifying(socket, (c) => (c.process.noNewPrivileges = true)));
    const r = cista(scratch.root, ['run', '--bundle', bundle, id]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The agent said yes and did nothing.
    expect(r.stdout).toBe('mkdir=0\nnot-made\n');
    const [state] = receivedStates(states);
    expect(state).toMatchObject({
      ociVersion: '1.3.0',
      fds: ['seccompFd'],
      metadata: 'agent-metadata',
      receivedFds: 1,
      state: { id, status: 'creating', bundle },
    });
    expect(state.pid).toBe(state.state.pid);
    expect(leftovers(scratch.root, id, bundle)).toEqual([]);
  });

  it('sends one more for each exec, with the exec\'d process and the running container', () => {
    const { socket, states } = startAgent();
    const id = `notify${counter++}`;
    const bundle = scratch.bundle(id, ['sleep', '60'], notifying(socket, (c) => (c.process.noNewPrivileges = false)));
    try {
      expect(cista(scratch.root, ['run', '-d', '--bundle', bundle, id]).code).toBe(0);
      const r = cista(scratch.root, ['exec', id, 'sh', '-c', MKDIR]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('mkdir=0\nnot-made\n');
      const [created, exec] = receivedStates(states);
      expect(created.state.status).toBe('creating');
      expect(exec).toMatchObject({ fds: ['seccompFd'], metadata: 'agent-metadata', receivedFds: 1, state: { id, status: 'running', pid: created.pid } });
      expect(exec.pid).not.toBe(created.pid);
    } finally {
      cista(scratch.root, ['delete', '-f', id]);
    }
    expect(leftovers(scratch.root, id, bundle)).toEqual([]);
  });

  it('fails the create in one line when nothing listens, leaving nothing behind', () => {
    const socket = path.join(scratch.dir, 'nobody.sock');
    const id = `notify${counter++}`;
    const bundle = scratch.bundle(id, ['true'], notifying(socket));
    const r = cista(scratch.root, ['run', '--bundle', bundle, id]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`linux.seccomp.listenerPath: connecting to seccomp listener ${socket}: `);
    expect(leftovers(scratch.root, id, bundle)).toEqual([]);
  });
});
