'use strict';
/**
 * A private containerd 1.6 for the shim's tests: its own config, root, state and socket under a
 * scratch directory (never the system's), with containerd-shim-cista-v2 on its PATH, and a busybox
 * image built from busybox-static and imported with `ctr images import`. Plain CommonJS: the shim's
 * tests and bench/containerd.js both use it.
 *
 * With `{ cri: FILE }` its CRI plugin serves too (as for a kubelet), with the runtimes of FILE (the
 * README's examples/containerd/cri-shim.toml: runtime handler `cista`), a pause image built from
 * catatonit (imported: there is no registry), and one CNI network, a bridge without an uplink, whose
 * config and address store are in the scratch directory too.
 */
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function requireFile(file, what) {
  if (!fs.existsSync(file)) throw new Error(`prerequisite missing: ${what} (${file})`);
}

const REPO = path.resolve(__dirname, '..', '..');
const SHIM = path.join(REPO, 'bin', 'containerd-shim-cista-v2');
/** The shim server's bundle, in its processes' command lines (as the launcher names it). */
const SERVER = path.join('dist', 'shim', 'server.js');
const IMAGE = 'docker.io/library/cista-busybox:test';
const PAUSE_IMAGE = 'docker.io/library/cista-pause:test';
/** The CRI plugin's containers are in this containerd namespace (as kubelet's). */
const CRI_NAMESPACE = 'k8s.io';
/** The CNI network's bridge: on the host, so the test's own name (removed by stop()). */
const CNI_BRIDGE = 'cista-cri0';
const CNI_PLUGINS = '/usr/lib/cni';
const CISTA_RUNTIME = 'io.containerd.cista.v2';
const RUNC_RUNTIME = 'io.containerd.runc.v2';

function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

/** Pids whose command line has all of `parts`. */
function pidsWith(...parts) {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmdline = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
        return parts.every((part) => cmdline.includes(part));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A root filesystem with /bin/busybox and its applets, root's passwd and group. */
function busyboxRootfs(rootfs) {
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc', 'root']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const applet of execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    if (!fs.existsSync(path.join(rootfs, 'bin', applet))) fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
  }
  fs.writeFileSync(path.join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(path.join(rootfs, 'etc', 'group'), 'root:x:0:\n');
}

/** The pause image's root filesystem: catatonit (static), which pauses as the pod's init (-P). */
function pauseRootfs(rootfs) {
  fs.mkdirSync(rootfs);
  fs.copyFileSync('/usr/bin/catatonit', path.join(rootfs, 'catatonit'));
  fs.chmodSync(path.join(rootfs, 'catatonit'), 0o755);
}

/** A docker-archive image (manifest.json, config, one layer) named `name`, its rootfs made by `fill`. */
function buildImage(dir, name, fill, config) {
  const work = fs.mkdtempSync(path.join(dir, 'image-'));
  const rootfs = path.join(work, 'rootfs');
  fill(rootfs);
  const archive = path.join(work, 'archive');
  fs.mkdirSync(archive);
  execFileSync('tar', ['-C', rootfs, '--numeric-owner', '--owner=0', '--group=0', '-cf', path.join(archive, 'layer.tar'), '.']);
  const diffId = `sha256:${sha256(fs.readFileSync(path.join(archive, 'layer.tar')))}`;
  const imageConfig = JSON.stringify({ architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: [diffId] } });
  const configName = `${sha256(imageConfig)}.json`;
  fs.writeFileSync(path.join(archive, configName), imageConfig);
  fs.writeFileSync(path.join(archive, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [name.replace('docker.io/library/', '')], Layers: ['layer.tar'] }]));
  const tar = path.join(work, 'image.tar');
  execFileSync('tar', ['-C', archive, '-cf', tar, '.']);
  return tar;
}

/**
 * The CRI plugin's part of config.toml: the runtimes of `example` (its tables, without its comments and
 * `version`), the pause image, CNI from `dir`.
 */
function criConfig(dir, example) {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  const runtimes = fs.readFileSync(example, 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('version'));
  return [
    `[${cri}]`,
    `  sandbox_image = "${PAUSE_IMAGE}"`,
    // Pod network namespaces are bind-mounted under the private state dir, not /var/run/netns.
    '  netns_mounts_under_state_dir = true',
    // The pause container asks for oom_score_adj -998; lowering it needs CAP_SYS_RESOURCE, which this
    // host's bounding set lacks. The CRI plugin's own answer: no lower than containerd's.
    '  restrict_oom_score_adj = true',
    ...runtimes,
    `[${cri}.cni]`,
    `  bin_dir = "${CNI_PLUGINS}"`,
    `  conf_dir = "${dir}/cni"`,
  ];
}

/** One CNI network: a bridge with no uplink and no gateway (no traffic leaves it), addresses from host-local. */
function cniNetwork(dir) {
  fs.mkdirSync(path.join(dir, 'cni'));
  const network = {
    cniVersion: '0.4.0',
    name: 'cista-cri',
    plugins: [
      {
        type: 'bridge',
        bridge: CNI_BRIDGE,
        isGateway: false,
        ipMasq: false,
        ipam: { type: 'host-local', ranges: [[{ subnet: '10.199.77.0/24' }]], dataDir: path.join(dir, 'cni-ipam') },
      },
    ],
  };
  fs.writeFileSync(path.join(dir, 'cni', '10-cista-cri.conflist'), JSON.stringify(network, null, 2));
}

class Containerd {
  constructor(dir, env, namespace) {
    this.dir = dir;
    /** Added to containerd's environment, which containerd passes on to its shims. */
    this.env = env;
    this.namespace = namespace;
    this.process = null;
    this.socket = path.join(dir, 'c.sock');
    this.log = path.join(dir, 'containerd.log');
    /**
     * ctr's `--fifo-dir` for processes whose fifos ctr does not remove (a detached exec, a task whose
     * shim died): under the scratch dir, not /run/containerd/fifo.
     */
    this.fifos = path.join(dir, 'fifo');
  }

  /**
   * Starts containerd (returns once its socket answers) and imports the image. `env`: added to
   * containerd's environment (its shims inherit it), e.g. { CISTA_SHIM_LINGER: '1' }. With `cri` (a
   * file of CRI runtimes), its CRI plugin too (and the pause image, in the CRI plugin's namespace).
   */
  static async start(env = {}, { cri = '' } = {}) {
    requireFile('/usr/bin/containerd', 'containerd (Debian package containerd) is needed for the shim tests');
    requireFile('/bin/busybox', 'busybox-static is needed to build the test image');
    requireFile(path.join(REPO, 'dist', 'shim', 'server.js'), 'the shim is built by npm run build');
    if (cri) {
      requireFile('/usr/bin/catatonit', 'catatonit is needed to build the CRI tests\' pause image');
      requireFile(path.join(CNI_PLUGINS, 'bridge'), 'containernetworking-plugins is needed for the CRI tests\' pod network');
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctd-'));
    const c = new Containerd(dir, env, cri ? CRI_NAMESPACE : 'cista-test');
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(SHIM, path.join(bin, 'containerd-shim-cista-v2'));
    const config = path.join(dir, 'config.toml');
    fs.writeFileSync(
      config,
      [
        'version = 2',
        `root = "${dir}/root"`,
        `state = "${dir}/state"`,
        ...(cri ? [] : ['disabled_plugins = ["io.containerd.grpc.v1.cri"]']),
        '[grpc]',
        `  address = "${c.socket}"`,
        '[ttrpc]',
        `  address = "${c.socket}.ttrpc"`,
        '[debug]',
        '  level = "debug"',
        ...(cri ? criConfig(dir, cri) : []),
        '',
      ].join('\n'),
    );
    if (cri) cniNetwork(dir);
    await c.launch();
    c.import(buildImage(dir, IMAGE, busyboxRootfs, { Env: ['PATH=/bin'], Cmd: ['sh'], WorkingDir: '/' }));
    if (cri) c.import(buildImage(dir, PAUSE_IMAGE, pauseRootfs, { Entrypoint: ['/catatonit', '-P'], WorkingDir: '/' }));
    return c;
  }

  /** Imports a docker archive into this containerd's namespace (unpacked for its snapshotter). */
  import(tar) {
    const imported = this.ctr(['images', 'import', tar]);
    if (imported.status !== 0) throw new Error(`ctr images import: ${imported.stderr}`);
  }

  /** Starts the daemon on this directory's config; returns once its socket answers. */
  async launch() {
    const log = fs.openSync(this.log, 'a');
    this.process = spawn('containerd', ['--config', path.join(this.dir, 'config.toml')], {
      env: { ...process.env, ...this.env, PATH: `${path.join(this.dir, 'bin')}:${process.env.PATH}` },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    for (let i = 0; i < 200 && this.ctr(['version']).status !== 0; i++) await new Promise((r) => setTimeout(r, 50));
    const version = this.ctr(['version']);
    if (version.status !== 0) throw new Error(`containerd did not start: ${version.stderr}\n${fs.readFileSync(this.log, 'utf8').slice(-2000)}`);
  }

  /** Stops the daemon alone (its shims and their containers keep running) and starts it again. */
  async restart() {
    const child = this.process;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await this.launch();
  }

  /** Pids of this containerd's cista shims (their command lines carry its socket). */
  shimPids() {
    return pidsWith(SERVER, this.socket);
  }

  /** ctr against this containerd: { status, stdout, stderr }. */
  ctr(args, input) {
    const r = spawnSync('ctr', ['--address', this.socket, '--namespace', this.namespace, ...args], { encoding: 'utf8', input, timeout: 60_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /** ctr that must succeed: its stdout. */
  ok(args, input) {
    const r = this.ctr(args, input);
    if (r.status !== 0) throw new Error(`ctr ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
    return r.stdout;
  }

  /** Stops containerd (tasks should be gone) and removes its directories. */
  async stop() {
    const child = this.process;
    if (child !== null && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    // Snapshots are overlay mounts under the root: unmount any left before removing it.
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4]).filter((m) => m?.startsWith(this.dir));
    for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
    fs.rmSync(this.dir, { recursive: true, force: true });
    // The CNI bridge stays when its last pod has gone (as with any CNI bridge network).
    if (fs.existsSync(`/sys/class/net/${CNI_BRIDGE}`)) spawnSync('ip', ['link', 'delete', CNI_BRIDGE]);
    // ctr puts containers in the cgroup /NAMESPACE/ID; runc's shim leaves the namespace's parent behind.
    for (const hierarchy of fs.readdirSync('/sys/fs/cgroup')) {
      try {
        fs.rmdirSync(path.join('/sys/fs/cgroup', hierarchy, this.namespace));
      } catch {
        // Not there, or not a hierarchy.
      }
    }
  }
}

module.exports = { Containerd, SHIM, IMAGE, PAUSE_IMAGE, CISTA_RUNTIME, RUNC_RUNTIME, pidsWith };
