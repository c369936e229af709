'use strict';
/**
 * A private containerd 1.6 for the shim's tests: its own config, root, state and socket under a
 * scratch directory (never the system's), with containerd-shim-cista-v2 on its PATH, and a busybox
 * image built from busybox-static and imported with `ctr images import`. Plain CommonJS: the shim's
 * tests and bench/containerd.js both use it.
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

/** A docker-archive image (manifest.json, config, one layer) holding busybox and its applets. */
function buildImage(dir) {
  const rootfs = path.join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc', 'root']) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const applet of execFileSync('/bin/busybox', ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean)) {
    if (!fs.existsSync(path.join(rootfs, 'bin', applet))) fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
  }
  fs.writeFileSync(path.join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(path.join(rootfs, 'etc', 'group'), 'root:x:0:\n');
  const archive = path.join(dir, 'archive');
  fs.mkdirSync(archive);
  execFileSync('tar', ['-C', rootfs, '--numeric-owner', '--owner=0', '--group=0', '-cf', path.join(archive, 'layer.tar'), '.']);
  const diffId = `sha256:${sha256(fs.readFileSync(path.join(archive, 'layer.tar')))}`;
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/bin'], Cmd: ['sh'], WorkingDir: '/' },
    rootfs: { type: 'layers', diff_ids: [diffId] },
  });
  const configName = `${sha256(config)}.json`;
  fs.writeFileSync(path.join(archive, configName), config);
  fs.writeFileSync(path.join(archive, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [IMAGE.replace('docker.io/library/', '')], Layers: ['layer.tar'] }]));
  const tar = path.join(dir, 'image.tar');
  execFileSync('tar', ['-C', archive, '-cf', tar, '.']);
  return tar;
}

class Containerd {
  constructor(dir, env) {
    this.dir = dir;
    /** Added to containerd's environment, which containerd passes on to its shims. */
    this.env = env;
    this.namespace = 'cista-test';
    this.process = null;
    this.socket = path.join(dir, 'c.sock');
    this.log = path.join(dir, 'containerd.log');
  }

  /**
   * Starts containerd (returns once its socket answers) and imports the image. `env`: added to
   * containerd's environment (its shims inherit it), e.g. { CISTA_SHIM_LINGER: '1' }.
   */
  static async start(env = {}) {
    requireFile('/usr/bin/containerd', 'containerd (Debian package containerd) is needed for the shim tests');
    requireFile('/bin/busybox', 'busybox-static is needed to build the test image');
    requireFile(path.join(REPO, 'dist', 'shim', 'server.js'), 'the shim is built by npm run build');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctd-'));
    const c = new Containerd(dir, env);
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
        'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
        '[grpc]',
        `  address = "${c.socket}"`,
        '[ttrpc]',
        `  address = "${c.socket}.ttrpc"`,
        '[debug]',
        '  level = "debug"',
        '',
      ].join('\n'),
    );
    await c.launch();
    const imported = c.ctr(['images', 'import', buildImage(dir)]);
    if (imported.status !== 0) throw new Error(`ctr images import: ${imported.stderr}`);
    return c;
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

module.exports = { Containerd, SHIM, IMAGE, CISTA_RUNTIME, RUNC_RUNTIME, pidsWith };
