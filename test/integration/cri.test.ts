/**
 * Kubernetes' path without a kubelet: containerd's CRI plugin with the runtime handler `cista`
 * (runtime_type io.containerd.cista.v2), driven over CRI gRPC as kubelet and crictl drive it. One
 * shim process serves a pod, its containers are in the pod's namespaces, and nothing is left once
 * the pod is removed, however it ended.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runtime } from '../../src/generated/cri';
import { Containerd, IMAGE, PAUSE_IMAGE } from '../helpers/containerd';
import { CriClient, stream } from '../helpers/cri';
import { isRunning, leftovers, parentCgroups } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';

const NamespaceMode = runtime.v1.NamespaceMode;
/** A pod's network and IPC namespaces; a pid namespace per container (kubelet gives the pod's options to each container too). */
const NAMESPACES = { network: NamespaceMode.POD, ipc: NamespaceMode.POD, pid: NamespaceMode.CONTAINER };
const REPO = path.resolve(__dirname, '..', '..');
/** The README's containerd config (the CRI plugin's runtimes) and RuntimeClass, as a cluster would have them. */
const CRI_RUNTIMES = path.join(REPO, 'examples', 'containerd', 'cri-shim.toml');
const RUNTIME_CLASS = path.join(REPO, 'examples', 'kubernetes', 'runtimeclass.yaml');
/** The RuntimeClass's handler: what kubelet passes as RunPodSandbox's runtime_handler. */
const CRI_HANDLER = /^handler: (\S+)$/m.exec(fs.readFileSync(RUNTIME_CLASS, 'utf8'))![1];
/** The shim's state root for the CRI plugin's namespace (src/shim/flags.ts). */
const STATE = '/run/containerd/cista/k8s.io';

let ctd: InstanceType<typeof Containerd>;
let cri: CriClient;

beforeAll(async () => {
  requireRoot();
  ctd = await Containerd.start({}, { cri: CRI_RUNTIMES });
  cri = new CriClient(ctd.socket);
}, 120_000);

afterAll(async () => {
  cri?.close();
  await ctd?.stop();
  removePodCgroups();
});

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await condition()); i++) await new Promise((r) => setTimeout(r, 50));
  expect(await condition()).toBe(true);
}

/** The pods' cgroup parent's top (kubelet's is kubepods); kubelet would make and remove it, the test does. */
const POD_CGROUPS = 'cista-cri-pods';

function podConfig(name: string, logDirectory: string, namespaceOptions = NAMESPACES): runtime.v1.IPodSandboxConfig {
  fs.mkdirSync(logDirectory, { recursive: true });
  return {
    metadata: { name, uid: `${name}-uid`, namespace: 'default', attempt: 0 },
    // As kubelet: a host-network pod keeps the host's UTS namespace, so no hostname (runc refuses one too).
    hostname: namespaceOptions.network === NamespaceMode.NODE ? '' : name,
    logDirectory,
    linux: { cgroupParent: `/${POD_CGROUPS}/pod-${name}`, securityContext: { namespaceOptions } },
  };
}

/** Removes the pod cgroups the test's pods had, as kubelet does once a pod is gone (a container's own cgroup left would fail this). */
function removePodCgroups(): void {
  for (const top of parentCgroups(POD_CGROUPS)) {
    for (const pod of fs.readdirSync(top, { withFileTypes: true })) if (pod.isDirectory()) fs.rmdirSync(path.join(top, pod.name));
    fs.rmdirSync(top);
  }
}

function containerConfig(name: string, command: string[], namespaceOptions = NAMESPACES): runtime.v1.IContainerConfig {
  return { metadata: { name }, image: { image: IMAGE }, command, logPath: `${name}.log`, linux: { securityContext: { namespaceOptions } } };
}

/** The /proc/PID/ns links (what identifies a namespace) of a process. */
function namespacesOf(pid: number, kinds: string[]): Record<string, string> {
  return Object.fromEntries(kinds.map((kind) => [kind, fs.readlinkSync(`/proc/${pid}/ns/${kind}`)]));
}

/** The pid of a container's init, from the CRI's verbose status (containerd puts it in info). */
async function pidOf(containerId: string): Promise<number> {
  const status = await cri.containerStatus({ containerId, verbose: true });
  return JSON.parse(status.info.info).pid as number;
}

/** The socket of the shim serving a task (containerd keeps its address in the task's bundle). */
function shimSocket(id: string): string {
  return fs.readFileSync(path.join(ctd.dir, 'state', 'io.containerd.runtime.v2.task', 'k8s.io', id, 'address'), 'utf8').replace('unix://', '');
}

/** What a pod's container could leave: cista's state, its cgroups, its rootfs mount under its bundle, processes. */
function leftoversOf(id: string): string[] {
  return leftovers(STATE, id, path.join(ctd.dir, 'state', 'io.containerd.runtime.v2.task', 'k8s.io', id));
}

/** A running pod as a test sees it. */
interface Pod {
  podSandboxId: string;
  config: runtime.v1.IPodSandboxConfig;
  /** Its log directory (the CRI plugin writes each container's log there). */
  logs: string;
  /** The pause container's init. */
  pausePid: number;
  /** Its shim's socket. */
  socket: string;
  /** Creates and starts a container in the pod (as kubelet, with the pod's config): its id. */
  start(config: runtime.v1.IContainerConfig): Promise<string>;
}

/**
 * Runs a pod with the cista handler for `body`, then removes it as kubelet would (its containers, the
 * pod, whatever state they are in) and checks that nothing of it is left: no shim, no socket, and
 * nothing of the pause container's or any container's (leftoversOf).
 */
async function withPod(name: string, body: (pod: Pod) => Promise<void>, namespaceOptions = NAMESPACES): Promise<void> {
  const logs = path.join(ctd.dir, `${name}-logs`);
  const config = podConfig(name, logs, namespaceOptions);
  const { podSandboxId } = await cri.runPodSandbox({ config, runtimeHandler: CRI_HANDLER });
  const ids = [podSandboxId];
  const socket = shimSocket(podSandboxId);
  try {
    const pausePid = JSON.parse((await cri.podSandboxStatus({ podSandboxId, verbose: true })).info.info).pid as number;
    const start = async (container: runtime.v1.IContainerConfig): Promise<string> => {
      const { containerId } = await cri.createContainer({ podSandboxId, config: container, sandboxConfig: config });
      ids.push(containerId);
      await cri.startContainer({ containerId });
      return containerId;
    };
    await body({ podSandboxId, config, logs, pausePid, socket, start });
  } finally {
    for (const containerId of ids.slice(1)) await cri.removeContainer({ containerId }).catch(() => {});
    await cri.stopPodSandbox({ podSandboxId }).catch(() => {});
    await cri.removePodSandbox({ podSandboxId }).catch(() => {});
  }
  expect((await cri.listContainers({})).containers).toEqual([]);
  expect((await cri.listPodSandbox({})).items).toEqual([]);
  await until(() => ctd.shimPids().length === 0);
  await until(() => ids.every((id) => leftoversOf(id).length === 0));
  expect(ids.flatMap(leftoversOf)).toEqual([]);
  expect(fs.existsSync(socket)).toBe(false);
  // Nor of the pod's own: its network namespace and /dev/shm are mounts under containerd's state dir.
  expect(fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((line) => line.includes(ctd.dir))).toEqual([]);
}

describe('CRI (containerd 1.6) with runtime handler cista', () => {
  it('serves the pause image the CRI plugin uses, with no registry', async () => {
    expect(CRI_HANDLER).toBe('cista');
    const version = await cri.version({ version: 'v1' });
    expect(version.runtimeName).toBe('containerd');
    expect(version.runtimeApiVersion).toBe('v1');
    const pause = await cri.imageStatus({ image: { image: PAUSE_IMAGE } });
    expect(pause.image?.id).toMatch(/^sha256:/);
  });

  it('runs a pod of two containers in one shim and the pod namespaces; exec, stats, stop and remove leave nothing', async () => {
    await withPod('cista-pod', async ({ podSandboxId, logs, pausePid, socket, start }) => {
      const sandbox = await cri.podSandboxStatus({ podSandboxId });
      expect(sandbox.status?.state).toBe(runtime.v1.PodSandboxState.SANDBOX_READY);
      expect(sandbox.status?.network?.ip).toMatch(/^10\.199\.77\./);
      expect(isRunning(pausePid)).toBe(true);
      // The sandbox_image's process: catatonit, pausing.
      expect(fs.readFileSync(`/proc/${pausePid}/cmdline`, 'utf8').split('\0')).toEqual(['/catatonit', '-P', '']);

      // c1 ends on SIGTERM (a graceful stop); c2 ignores it, as a pid namespace's init does without a handler.
      // c1 has resources as kubelet gives a burstable container's.
      const c1 = await start({
        ...containerConfig('c1', ['sh', '-c', 'trap "exit 0" TERM; echo c1 started; while :; do sleep 1; done']),
        linux: { resources: { memoryLimitInBytes: 64 * 1024 * 1024, cpuShares: 512, oomScoreAdj: 999 }, securityContext: { namespaceOptions: NAMESPACES } },
      });
      const c2 = await start(containerConfig('c2', ['sleep', '1000']));

      // One shim for the pod: the pause container's and both containers', on one socket.
      expect(ctd.shimPids().length).toBe(1);
      const [shim] = ctd.shimPids();
      for (const containerId of [c1, c2]) expect(shimSocket(containerId)).toBe(socket);
      const pids = [await pidOf(c1), await pidOf(c2)];
      for (const pid of [pausePid, ...pids]) expect(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(new RegExp(`^PPid:\\s+${shim}$`, 'm'));

      // The pod's network, IPC and UTS namespaces are the pause container's; each has its own pid namespace.
      const shared = ['net', 'ipc', 'uts'];
      const pod = namespacesOf(pausePid, shared);
      expect(pod).not.toEqual(namespacesOf(process.pid, shared));
      for (const pid of pids) expect(namespacesOf(pid, shared)).toEqual(pod);
      expect(namespacesOf(pids[0], ['pid'])).not.toEqual(namespacesOf(pausePid, ['pid']));

      // c1's resources, read back: its cgroup below the pod's cgroup parent, its oom_score_adj.
      const c1Cgroup = (controller: string, file: string): string =>
        fs.readFileSync(path.join('/sys/fs/cgroup', controller, POD_CGROUPS, 'pod-cista-pod', c1, file), 'utf8').trim();
      expect(c1Cgroup('memory', 'memory.limit_in_bytes')).toBe(String(64 * 1024 * 1024));
      expect(c1Cgroup('cpu', 'cpu.shares')).toBe('512');
      expect(fs.readFileSync(`/proc/${pids[0]}/oom_score_adj`, 'utf8').trim()).toBe('999');
      // Changed as kubelet changes them (UpdateContainerResources: the shim's Update).
      await cri.updateContainerResources({ containerId: c1, linux: { memoryLimitInBytes: 32 * 1024 * 1024, cpuShares: 256, cpuPeriod: 100_000, cpuQuota: 50_000 } });
      expect(c1Cgroup('memory', 'memory.limit_in_bytes')).toBe(String(32 * 1024 * 1024));
      expect(c1Cgroup('cpu', 'cpu.shares')).toBe('256');
      expect(c1Cgroup('cpu', 'cpu.cfs_quota_us')).toBe('50000');

      const exec = await cri.execSync({ containerId: c2, cmd: ['sh', '-c', 'hostname; echo to stderr >&2; exit 3'], timeout: 30 });
      expect(Buffer.from(exec.stdout).toString()).toBe('cista-pod\n');
      expect(Buffer.from(exec.stderr).toString()).toBe('to stderr\n');
      expect(exec.exitCode).toBe(3);

      // kubectl exec -it: the streaming Exec, a terminal (the shim's console socket), stdin, a resize.
      const { url } = await cri.exec({ containerId: c2, cmd: ['sh'], tty: true, stdin: true, stdout: true });
      const session = await stream(url, {
        size: { width: 100, height: 30 },
        // The resize may land just after the shell starts: it waits for it (boundedly).
        stdin: 'for i in 1 2 3 4 5 6 7 8 9 10; do [ "$(stty size)" = "30 100" ] && break; sleep 0.2; done; test -t 0 && echo "tty $(stty size)"; exit 4\n',
      });
      expect(session.stdout).toContain('tty 30 100');
      expect(session.status.reason).toBe('NonZeroExitCode');
      expect(session.status.details?.causes).toEqual([{ reason: 'ExitCode', message: '4' }]);

      const { stats } = await cri.containerStats({ containerId: c1 });
      expect(stats?.attributes?.id).toBe(c1);
      // uint64s decode as Long.
      expect(Number(stats?.cpu?.usageCoreNanoSeconds?.value)).toBeGreaterThan(0);
      expect(Number(stats?.memory?.workingSetBytes?.value)).toBeGreaterThan(0);

      // The container's output reached the CRI plugin's log (through the fifos the shim was given).
      await until(() => fs.existsSync(path.join(logs, 'c1.log')) && fs.readFileSync(path.join(logs, 'c1.log'), 'utf8').includes('c1 started'));

      await cri.stopContainer({ containerId: c1, timeout: 10 });
      await cri.stopContainer({ containerId: c2, timeout: 1 });
      const exits = await Promise.all([c1, c2].map(async (containerId) => (await cri.containerStatus({ containerId })).status));
      expect(exits.map((s) => [s?.state, s?.exitCode])).toEqual([
        [runtime.v1.ContainerState.CONTAINER_EXITED, 0],
        [runtime.v1.ContainerState.CONTAINER_EXITED, 137],
      ]);
      for (const pid of pids) expect(isRunning(pid)).toBe(false);
      await cri.removeContainer({ containerId: c1 });
      await cri.removeContainer({ containerId: c2 });
      expect((await cri.listContainers({})).containers).toEqual([]);
      // The pause container keeps the shim.
      expect(ctd.shimPids()).toEqual([shim]);

      await cri.stopPodSandbox({ podSandboxId });
      expect(isRunning(pausePid)).toBe(false);
      await cri.removePodSandbox({ podSandboxId });
    });
  });

  it('cleans up a pod whose shim was killed with SIGKILL: containerd runs the shim delete per container, nothing is left', async () => {
    await withPod('cista-pod-killed', async ({ podSandboxId, pausePid, socket, start }) => {
      const ids = [await start(containerConfig('k1', ['sleep', '1000'])), await start(containerConfig('k2', ['sleep', '1000']))];
      const pids = [pausePid, ...(await Promise.all(ids.map(pidOf)))];
      const [shim] = ctd.shimPids();
      expect(fs.existsSync(socket)).toBe(true);
      process.kill(shim, 'SIGKILL');
      // containerd sees the shim's connection close and runs `containerd-shim-cista-v2 delete` for each task.
      await until(() => pids.every((pid) => !isRunning(pid)));
      await until(() => [podSandboxId, ...ids].every((id) => !fs.existsSync(path.join(STATE, id))));
      // The CRI plugin learns of the exits (containerd publishes them for a dead shim).
      for (const containerId of ids) {
        await until(async () => (await cri.containerStatus({ containerId })).status?.state === runtime.v1.ContainerState.CONTAINER_EXITED);
      }
      expect((await cri.podSandboxStatus({ podSandboxId })).status?.state).toBe(runtime.v1.PodSandboxState.SANDBOX_NOTREADY);
    });
  });

  it('runs a host-network pod (no CNI): its container is in the host network and UTS namespaces, the pod IPC namespace', async () => {
    const hostNetwork = { ...NAMESPACES, network: NamespaceMode.NODE };
    await withPod(
      'cista-pod-host',
      async ({ podSandboxId, pausePid, start }) => {
        expect((await cri.podSandboxStatus({ podSandboxId })).status?.network?.ip).toBe('');
        const containerId = await start(containerConfig('h1', ['sleep', '1000'], hostNetwork));
        const pid = await pidOf(containerId);
        expect(namespacesOf(pid, ['net', 'uts'])).toEqual(namespacesOf(process.pid, ['net', 'uts']));
        expect(namespacesOf(pid, ['ipc'])).toEqual(namespacesOf(pausePid, ['ipc']));
        expect(namespacesOf(pid, ['ipc'])).not.toEqual(namespacesOf(process.pid, ['ipc']));
        const exec = await cri.execSync({ containerId, cmd: ['hostname'], timeout: 30 });
        expect(Buffer.from(exec.stdout).toString()).toBe(`${fs.readFileSync('/proc/sys/kernel/hostname', 'utf8').trim()}\n`);
      },
      hostNetwork,
    );
  });

  it('keeps a pod running across a containerd restart: the CRI plugin finds it again through the same shim', async () => {
    await withPod('cista-pod-restart', async ({ podSandboxId, start }) => {
      const containerId = await start(containerConfig('r1', ['sleep', '1000']));
      const [shim] = ctd.shimPids();
      const pid = await pidOf(containerId);
      await ctd.restart();
      expect((await cri.podSandboxStatus({ podSandboxId })).status?.state).toBe(runtime.v1.PodSandboxState.SANDBOX_READY);
      expect((await cri.containerStatus({ containerId })).status?.state).toBe(runtime.v1.ContainerState.CONTAINER_RUNNING);
      const exec = await cri.execSync({ containerId, cmd: ['echo', 'still here'], timeout: 30 });
      expect(Buffer.from(exec.stdout).toString()).toBe('still here\n');
      expect(ctd.shimPids()).toEqual([shim]);
      expect(await pidOf(containerId)).toBe(pid);
    });
  });

  it('gives a container with tty a terminal, whose output reaches the CRI log and which kubectl attach -it reaches', async () => {
    await withPod('cista-pod-tty', async ({ logs, start }) => {
      const containerId = await start({ ...containerConfig('t1', ['sh', '-c', 'test -t 0 && test -t 1 && echo is a tty; exec sh']), tty: true, stdin: true });
      const log = path.join(logs, 't1.log');
      await until(() => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('is a tty'));
      // Attach: the container's own terminal, its input through the shim's stdin fifo; the shell's exit ends it.
      const { url } = await cri.attach({ containerId, tty: true, stdin: true, stdout: true });
      const session = await stream(url, { stdin: 'echo attached $((6*7)); exit 0\n' });
      expect(session.stdout).toContain('attached 42');
      expect(session.status.status).toBe('Success');
      await until(async () => (await cri.containerStatus({ containerId })).status?.state === runtime.v1.ContainerState.CONTAINER_EXITED);
    });
  });
});
