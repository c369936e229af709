/**
 * containerd-shim-cista-v2 under a real containerd 1.6 (private instance, test/helpers/containerd.ts),
 * driven with ctr as a user would: every task operation goes through the shim's ttrpc Task service.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { containerd } from '../../src/generated/containerd';
import { TtrpcClient } from '../../src/shim/ttrpc';
import { publishedFile } from '../../src/shim/warm';
import { CISTA_RUNTIME, Containerd, IMAGE } from '../helpers/containerd';
import { requireRoot } from '../helpers/prerequisites';

let ctd: InstanceType<typeof Containerd>;

/** The warm shim's linger in these tests (src/shim/warm.ts; the default is 30 s). */
const LINGER_S = 1;
/** Long enough for a warm shim's linger and grace (5 s) on a loaded host. */
const SHIM_EXIT_MS = 30_000;

beforeAll(async () => {
  requireRoot();
  ctd = await Containerd.start({ CISTA_SHIM_LINGER: String(LINGER_S) });
}, 120_000);

afterAll(async () => {
  await ctd?.stop();
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  for (let i = 0; i < timeoutMs / 50 && !condition(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(condition()).toBe(true);
}

/** No shim left: a warm shim exits after its linger and grace. */
async function noShimLeft(): Promise<void> {
  await until(() => ctd.shimPids().length === 0, SHIM_EXIT_MS);
}

/** The warm shim's published address (src/shim/warm.ts). */
const published = (): string => publishedFile(ctd.namespace, ctd.socket);

/** The address containerd was given for a task (its bundle's address file). */
function addressOf(id: string): string {
  return fs.readFileSync(`${ctd.dir}/state/io.containerd.runtime.v2.task/${ctd.namespace}/${id}/address`, 'utf8').replace('unix://', '');
}

/**
 * A logging binary as containerd runs one (a shell script): `out PREFIX` as its arguments, it writes
 * PREFIX.env (its argument count, first argument, CONTAINER_ID and CONTAINER_NAMESPACE), PREFIX.stdout
 * and PREFIX.stderr (fds 3 and 4) and PREFIX.pid. No PATH in its environment, so absolute paths.
 */
function loggingBinary(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const logger = path.join(dir, 'logger.sh');
  fs.writeFileSync(
    logger,
    [
      '#!/bin/sh',
      'out=$2',
      'echo "$# $1 $CONTAINER_ID $CONTAINER_NAMESPACE" > "$out.env"',
      // The copies must not hold fd 5: its end is the ready signal.
      '/bin/cat <&3 > "$out.stdout" 5>&- &',
      '/bin/cat <&4 > "$out.stderr" 5>&- &',
      'echo $$ > "$out.pid"',
      // Ready: the container starts only now.
      'exec 5>&-',
      'wait',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return logger;
}

/** Deletes the tasks and containers `ids`, whatever their state, and waits for their shims to go. */
async function removeAll(ids: string[]): Promise<void> {
  for (const id of ids) {
    ctd.ctr(['task', 'delete', '--force', id]);
    ctd.ctr(['containers', 'delete', id]);
  }
  await noShimLeft();
}

describe('ctr with runtime io.containerd.cista.v2', () => {
  it('runs a container: its output and its exit code reach ctr, and nothing is left', () => {
    const r = ctd.ctr(['run', '--rm', '--runtime', CISTA_RUNTIME, IMAGE, 'shim-run', 'sh', '-c', 'echo hello from $$; echo to stderr >&2; exit 7']);
    expect(r.stdout).toBe('hello from 1\n');
    expect(r.stderr).toContain('to stderr');
    expect(r.status).toBe(7);
    expect(ctd.ok(['containers', 'list', '-q'])).toBe('');
    expect(fs.existsSync('/run/containerd/cista/cista-test/shim-run')).toBe(false);
  });

  it('feeds stdin to the container and ends it', () => {
    const r = ctd.ctr(['run', '--rm', '--runtime', CISTA_RUNTIME, IMAGE, 'shim-stdin', 'sh', '-c', 'tr a-z A-Z'], 'piped in\n');
    expect(r.stdout).toBe('PIPED IN\n');
    expect(r.status).toBe(0);
  });

  it('runs detached, then exec (plain, -d, -t), task ps, pause/resume, metrics, the memory limit and Update, kill --all and delete', async () => {
    const id = 'shim-detached';
    ctd.ok(['run', '-d', '--memory-limit', String(64 * 1024 * 1024), '--runtime', CISTA_RUNTIME, IMAGE, id, 'sleep', '1000']);
    try {
      expect(ctd.ok(['task', 'list'])).toMatch(new RegExp(`${id}\\s+\\d+\\s+RUNNING`));
      const exec = ctd.ctr(['task', 'exec', '--exec-id', 'e1', id, 'sh', '-c', 'echo exec says $((6*7)); exit 3']);
      expect(exec.stdout).toBe('exec says 42\n');
      expect(exec.status).toBe(3);

      ctd.ok(['task', 'exec', '-d', '--fifo-dir', ctd.fifos, '--exec-id', 'e2', id, 'sleep', '1000']);
      const ps = ctd.ok(['task', 'ps', id]).trim().split('\n').slice(1);
      expect(ps.length).toBe(2);

      ctd.ok(['task', 'pause', id]);
      expect(ctd.ok(['task', 'list'])).toMatch(new RegExp(`${id}\\s+\\d+\\s+PAUSED`));
      ctd.ok(['task', 'resume', id]);
      expect(ctd.ok(['task', 'list'])).toMatch(new RegExp(`${id}\\s+\\d+\\s+RUNNING`));

      const metrics = ctd.ok(['task', 'metrics', '--format', 'json', id]);
      expect(JSON.parse(metrics).memory.usage.usage).toBeGreaterThan(0);

      // The run's --memory-limit, read back from the cgroup.
      expect(JSON.parse(metrics).memory.usage.limit).toBe(64 * 1024 * 1024);

      // Update (ctr 1.6 has no `task update`): the Task service's call as containerd makes it, on the
      // shim's socket from the bundle's address file, then read back.
      const shim = await TtrpcClient.connect(addressOf(id));
      try {
        const resources = { type_url: 'types.containerd.io/opencontainers/runtime-spec/1/LinuxResources', value: Buffer.from(JSON.stringify({ memory: { limit: 32 * 1024 * 1024 } })) };
        await shim.call('containerd.task.v2.Task', 'Update', containerd.task.v2.UpdateTaskRequest.encode({ id, resources }).finish());
      } finally {
        shim.close();
      }
      expect(JSON.parse(ctd.ok(['task', 'metrics', '--format', 'json', id])).memory.usage.limit).toBe(32 * 1024 * 1024);

      // exec -t: the process gets a pty (ctr under script(1), which gives ctr a tty).
      const tty = spawnSync('script', ['-qec', `ctr --address ${ctd.socket} --namespace ${ctd.namespace} task exec -t --exec-id t1 ${id} sh -c 'test -t 1 && echo exec tty'`, '/dev/null'], {
        encoding: 'utf8',
        input: '',
        timeout: 60_000,
      });
      expect(tty.stdout).toContain('exec tty');

      // kill --all: every process of the container (the detached exec's sleep too).
      ctd.ok(['task', 'kill', '--all', '--signal', 'SIGKILL', id]);
      await until(() => /STOPPED/.test(ctd.ok(['task', 'list'])));
      const deleted = ctd.ctr(['task', 'delete', id]);
      expect(deleted.stderr).toContain('exit with non-zero exit code 137');
      expect(deleted.status).toBe(0);
      expect(ctd.ok(['task', 'list', '-q'])).toBe('');
    } finally {
      ctd.ctr(['task', 'delete', '--force', id]);
      ctd.ctr(['containers', 'delete', id]);
    }
    expect(fs.existsSync(`/run/containerd/cista/cista-test/${id}`)).toBe(false);
    await noShimLeft();
  });

  it('appends the output to a file:// log URI (stdout and stderr, created with its directory)', () => {
    const log = path.join(ctd.dir, 'logs', 'file', 'shim-file.log');
    const first = ctd.ctr(['run', '--rm', '--log-uri', `file://${log}`, '--runtime', CISTA_RUNTIME, IMAGE, 'shim-file', 'sh', '-c', 'echo out; echo err >&2']);
    expect(first.status).toBe(0);
    expect(fs.readFileSync(log, 'utf8')).toBe('out\nerr\n');
    // Appended, not truncated.
    ctd.ok(['run', '--rm', '--log-uri', `file://${log}`, '--runtime', CISTA_RUNTIME, IMAGE, 'shim-file', 'echo', 'again']);
    expect(fs.readFileSync(log, 'utf8')).toBe('out\nerr\nagain\n');
    expect(fs.statSync(log).mode & 0o777).toBe(0o644);
  });

  it('hands the output to a binary:// logging binary (fds 3 and 4, ready on fd 5, its arguments and environment) and stops it at delete', async () => {
    const dir = path.join(ctd.dir, 'logs', 'binary');
    const logger = loggingBinary(dir);
    const out = path.join(dir, 'shim-binary');
    try {
      const r = ctd.ctr(['run', '--rm', '--log-uri', `binary://${logger}?out=${encodeURIComponent(out)}`, '--runtime', CISTA_RUNTIME, IMAGE, 'shim-binary', 'sh', '-c', 'echo to stdout; echo to stderr >&2; exit 5']);
      expect(r.status).toBe(5);
    } finally {
      ctd.ctr(['task', 'delete', '--force', 'shim-binary']);
      ctd.ctr(['containers', 'delete', 'shim-binary']);
    }
    expect(fs.readFileSync(`${out}.env`, 'utf8')).toBe(`2 out shim-binary ${ctd.namespace}\n`);
    expect(fs.readFileSync(`${out}.stdout`, 'utf8')).toBe('to stdout\n');
    expect(fs.readFileSync(`${out}.stderr`, 'utf8')).toBe('to stderr\n');
    // Delete stopped it (and the shim reaped it).
    const pid = Number(fs.readFileSync(`${out}.pid`, 'utf8'));
    await until(() => !fs.existsSync(`/proc/${pid}`));
    await noShimLeft();
  });

  it('gives an exec its own log URI: file://, and binary:// with the exec id as CONTAINER_ID', async () => {
    const id = 'shim-exec-log';
    const dir = path.join(ctd.dir, 'logs', 'exec');
    const logger = loggingBinary(dir);
    ctd.ok(['run', '-d', '--runtime', CISTA_RUNTIME, IMAGE, id, 'sleep', '1000']);
    try {
      const file = path.join(dir, 'exec.log');
      const inFile = ctd.ctr(['task', 'exec', '--exec-id', 'e-file', '--log-uri', `file://${file}`, id, 'sh', '-c', 'echo exec out; echo exec err >&2; exit 4']);
      expect(inFile.status).toBe(4);
      expect(fs.readFileSync(file, 'utf8')).toBe('exec out\nexec err\n');

      const out = path.join(dir, 'e-bin');
      const toBinary = ctd.ctr(['task', 'exec', '--exec-id', 'e-bin', '--log-uri', `binary://${logger}?out=${encodeURIComponent(out)}`, id, 'sh', '-c', 'echo binary out; echo binary err >&2']);
      expect(toBinary.status).toBe(0);
      expect(fs.readFileSync(`${out}.env`, 'utf8')).toBe(`2 out e-bin ${ctd.namespace}\n`);
      await until(() => fs.readFileSync(`${out}.stdout`, 'utf8') === 'binary out\n' && fs.readFileSync(`${out}.stderr`, 'utf8') === 'binary err\n');
      // ctr deleted the exec: its logging binary is gone.
      const pid = Number(fs.readFileSync(`${out}.pid`, 'utf8'));
      await until(() => !fs.existsSync(`/proc/${pid}`));
    } finally {
      ctd.ctr(['task', 'delete', '--force', id]);
      ctd.ctr(['containers', 'delete', id]);
    }
    await noShimLeft();
  });

  it('refuses a logging binary that does not exist, naming it, and leaves nothing', () => {
    const r = ctd.ctr(['run', '--rm', '--log-uri', 'binary:///nonexistent/logger', '--runtime', CISTA_RUNTIME, IMAGE, 'shim-nologger', 'true']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('logging binary /nonexistent/logger: spawn /nonexistent/logger ENOENT');
    ctd.ctr(['containers', 'delete', 'shim-nologger']);
    expect(ctd.ok(['containers', 'list', '-q'])).toBe('');
    expect(fs.existsSync('/run/containerd/cista/cista-test/shim-nologger')).toBe(false);
  });

  it('publishes TaskOOM when the container\'s cgroup runs out of memory', async () => {
    const id = 'shim-oom';
    const events = spawn('ctr', ['--address', ctd.socket, 'events'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let seen = '';
    events.stdout.on('data', (chunk) => (seen += chunk));
    try {
      // tail of a file without newlines keeps all of it: the OOM killer ends it, the shell lives on.
      ctd.ok(['run', '-d', '--memory-limit', String(16 * 1024 * 1024), '--runtime', CISTA_RUNTIME, IMAGE, id, 'sh', '-c', 'tail /dev/zero; sleep 1000']);
      await until(() => seen.includes('/tasks/oom'));
      expect(seen).toMatch(new RegExp(`${ctd.namespace} /tasks/oom \\{"container_id":"${id}"\\}`));
      expect(ctd.ok(['task', 'list'])).toMatch(new RegExp(`${id}\\s+\\d+\\s+RUNNING`));
    } finally {
      events.kill();
      ctd.ctr(['task', 'delete', '--force', id]);
      ctd.ctr(['containers', 'delete', id]);
    }
    expect(fs.existsSync(`/run/containerd/cista/cista-test/${id}`)).toBe(false);
    await noShimLeft();
  });

  it('gives -t a terminal through the console socket (ctr under script(1) for a tty)', () => {
    const command = `ctr --address ${ctd.socket} --namespace ${ctd.namespace} run --rm -t --runtime ${CISTA_RUNTIME} ${IMAGE} shim-tty sh -c 'test -t 0 && test -t 1 && echo is a tty; stty size'`;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', input: '', timeout: 60_000 });
    expect(r.stdout).toContain('is a tty');
    expect(r.status).toBe(0);
  });

  it('cleans up after a shim killed with SIGKILL: containerd runs its delete, nothing is left', async () => {
    const id = 'shim-killed';
    await noShimLeft();
    ctd.ok(['run', '-d', '--fifo-dir', ctd.fifos, '--runtime', CISTA_RUNTIME, IMAGE, id, 'sleep', '1000']);
    const [shim] = ctd.shimPids();
    const socket = addressOf(id);
    expect(fs.existsSync(socket)).toBe(true);
    const initPid = Number(new RegExp(`^${id}\\s+(\\d+)`, 'm').exec(ctd.ok(['task', 'list']))![1]);
    expect(fs.existsSync(`/proc/${initPid}`)).toBe(true);
    process.kill(shim, 'SIGKILL');
    // containerd sees the shim's connection close and runs `containerd-shim-cista-v2 delete`.
    await until(() => !fs.existsSync(`/run/containerd/cista/cista-test/${id}`));
    await until(() => !fs.existsSync(`/proc/${initPid}`) || fs.readFileSync(`/proc/${initPid}/stat`, 'utf8').includes(') Z'));
    ctd.ctr(['task', 'delete', '--force', id]);
    ctd.ok(['containers', 'delete', id]);
    expect(ctd.ok(['task', 'list', '-q'])).toBe('');
    // containerd's `delete` (a server process in cleanup mode) may still be finishing.
    await until(() => ctd.shimPids().length === 0);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(`/${id}/rootfs`);
    expect(fs.existsSync(socket)).toBe(false);
  });

  it('serves the containers of one pod (io.kubernetes.cri.sandbox-id) from one shim process', async () => {
    const pod = ['--annotation', 'io.kubernetes.cri.sandbox-id=pod-a'];
    const ids = ['shim-pod-1', 'shim-pod-2'];
    await noShimLeft();
    try {
      for (const id of ids) ctd.ok(['run', '-d', ...pod, '--runtime', CISTA_RUNTIME, IMAGE, id, 'sleep', '1000']);
      expect(ctd.shimPids().length).toBe(1);
      expect(ctd.ok(['task', 'exec', '--exec-id', 'e', ids[1], 'echo', 'second']).trim()).toBe('second');
      // The first container's end leaves the shim serving the second.
      ctd.ok(['task', 'kill', '--signal', 'SIGKILL', ids[0]]);
      await until(() => new RegExp(`${ids[0]}\\s+\\d+\\s+STOPPED`).test(ctd.ok(['task', 'list'])));
      ctd.ctr(['task', 'delete', ids[0]]);
      expect(ctd.ok(['task', 'list'])).toMatch(new RegExp(`${ids[1]}\\s+\\d+\\s+RUNNING`));
      expect(ctd.shimPids().length).toBe(1);
    } finally {
      await removeAll(ids);
    }
  });

  it('serves containers annotated with one io.containerd.cista.v2.group from one shim process, over their pod', async () => {
    const ids = ['shim-group-1', 'shim-group-2'];
    await noShimLeft();
    try {
      // Different pods, one group: the group annotation wins, as runc's own does in runc's shim.
      ids.forEach((id, i) => ctd.ok(['run', '-d', '--annotation', 'io.containerd.cista.v2.group=g', '--annotation', `io.kubernetes.cri.sandbox-id=pod-${i}`, '--runtime', CISTA_RUNTIME, IMAGE, id, 'sleep', '1000']));
      expect(ctd.shimPids().length).toBe(1);
    } finally {
      await removeAll(ids);
    }
  });

  it('keeps its containers when containerd restarts: containerd reconnects to the running shim', async () => {
    const id = 'shim-restart';
    await noShimLeft();
    ctd.ok(['run', '-d', '--runtime', CISTA_RUNTIME, IMAGE, id, 'sleep', '1000']);
    try {
      const [shim] = ctd.shimPids();
      await ctd.restart();
      expect(ctd.ok(['task', 'list'])).toMatch(new RegExp(`${id}\\s+\\d+\\s+RUNNING`));
      expect(ctd.ok(['task', 'exec', '--exec-id', 'after', id, 'echo', 'still here']).trim()).toBe('still here');
      expect(ctd.shimPids()).toEqual([shim]);
      ctd.ok(['task', 'kill', '--signal', 'SIGKILL', id]);
      await until(() => /STOPPED/.test(ctd.ok(['task', 'list'])));
      ctd.ctr(['task', 'delete', id]);
    } finally {
      ctd.ctr(['task', 'delete', '--force', id]);
      ctd.ctr(['containers', 'delete', id]);
    }
    await noShimLeft();
    expect(fs.existsSync(`/run/containerd/cista/cista-test/${id}`)).toBe(false);
  });

  it('serves the namespace\'s containers from one warm shim, which exits after its linger leaving nothing', async () => {
    await noShimLeft();
    const run = (id: string): void => {
      expect(ctd.ok(['run', '--rm', '--runtime', CISTA_RUNTIME, IMAGE, id, 'echo', id])).toBe(`${id}\n`);
    };
    run('shim-warm-1');
    const [shim] = ctd.shimPids();
    expect(shim).toBeGreaterThan(0);
    // Published for the launcher, which answers the next start with it (no Node start).
    const [pid, , socket] = fs.readFileSync(published(), 'utf8').split(' ');
    expect(Number(pid)).toBe(shim);
    const fds = (): number => fs.readdirSync(`/proc/${shim}/fd`).length;
    const settled = fds();
    run('shim-warm-2');
    expect(ctd.shimPids()).toEqual([shim]);
    // It lets go of each task's fds (the stdin pipe was held until the shim's exit).
    run('shim-warm-3');
    await until(() => fds() === settled);
    await noShimLeft();
    expect(fs.existsSync(published())).toBe(false);
    expect(fs.existsSync(socket)).toBe(false);
    for (const id of ['shim-warm-1', 'shim-warm-2', 'shim-warm-3']) expect(fs.existsSync(`/run/containerd/cista/cista-test/${id}`)).toBe(false);
  }, 60_000);

  it('serves two containers started at once, with no shim running, from one warm shim', async () => {
    await noShimLeft();
    const run = (id: string): Promise<{ status: number | null; stdout: string }> =>
      new Promise((resolve) => {
        const child = spawn('ctr', ['--address', ctd.socket, '--namespace', ctd.namespace, 'run', '--rm', '--runtime', CISTA_RUNTIME, IMAGE, id, 'echo', id]);
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.on('close', (status) => resolve({ status, stdout }));
      });
    const ids = ['shim-warm-c1', 'shim-warm-c2'];
    const results = await Promise.all(ids.map(run));
    expect(results).toEqual(ids.map((id) => ({ status: 0, stdout: `${id}\n` })));
    // One of the two cold starts listened; the other answered its address.
    expect(ctd.shimPids().length).toBe(1);
    await noShimLeft();
  }, 60_000);

  it('cleans up after a warm shim killed with SIGKILL while it serves two containers; the next start makes a new shim', async () => {
    const ids = ['shim-warm-k1', 'shim-warm-k2'];
    await noShimLeft();
    try {
      for (const id of ids) ctd.ok(['run', '-d', '--fifo-dir', ctd.fifos, '--runtime', CISTA_RUNTIME, IMAGE, id, 'sleep', '1000']);
      const shims = ctd.shimPids();
      expect(shims.length).toBe(1);
      const socket = addressOf(ids[0]);
      expect(addressOf(ids[1])).toBe(socket);
      const inits = ids.map((id) => Number(new RegExp(`^${id}\\s+(\\d+)`, 'm').exec(ctd.ok(['task', 'list']))![1]));
      process.kill(shims[0], 'SIGKILL');
      // Its published address names a dead process: start falls back to a cold start.
      expect(ctd.ok(['run', '--rm', '--runtime', CISTA_RUNTIME, IMAGE, 'shim-warm-after', 'echo', 'after'])).toBe('after\n');
      for (const id of ids) await until(() => !fs.existsSync(`/run/containerd/cista/cista-test/${id}`));
      for (const pid of inits) await until(() => !fs.existsSync(`/proc/${pid}`) || fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'));
      for (const id of ids) ctd.ctr(['task', 'delete', '--force', id]);
      expect(ctd.ok(['task', 'list', '-q'])).toBe('');
      for (const id of ids) expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(`/${id}/rootfs`);
    } finally {
      for (const id of ids) {
        ctd.ctr(['task', 'delete', '--force', id]);
        ctd.ctr(['containers', 'delete', id]);
      }
    }
    await noShimLeft();
    expect(fs.existsSync(published())).toBe(false);
    for (const id of [...ids, 'shim-warm-after']) expect(fs.existsSync(`/run/containerd/cista/cista-test/${id}`)).toBe(false);
  }, 90_000);
});
