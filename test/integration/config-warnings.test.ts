import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { cista } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('warnings');
});
afterAll(() => scratch.cleanup());

/** A piece of Docker's seccomp profile format (as Docker's and containers-common's default profiles). */
const DOCKER_PROFILE = {
  defaultAction: 'SCMP_ACT_ALLOW',
  archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }],
  syscalls: [
    { names: ['getpid'], action: 'SCMP_ACT_ALLOW', args: [], comment: '', includes: {}, excludes: {} },
    { names: ['reboot'], action: 'SCMP_ACT_ALLOW', args: [], comment: '', includes: { caps: ['CAP_SYS_BOOT'] }, excludes: {} },
  ],
};

function runWithLog(id: string, edit: (c: Record<string, any>) => void): { code: number | null; stderr: string; log: string[] } {
  const bundle = scratch.bundle(id, ['true'], edit);
  const log = path.join(scratch.dir, `${id}.log`);
  const r = cista(scratch.root, ['--log', log, '--log-format', 'json', 'run', '--bundle', bundle, id]);
  expect(leftovers(scratch.root, id, bundle)).toEqual([]);
  return { code: r.code, stderr: r.stderr, log: fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l).msg) };
}

describe('properties the runtime-spec does not define are ignored, with a warning each', () => {
  it('names each one by JSON path, on stderr and in the --log, and the container runs', () => {
    const r = runWithLog('unknown1', (c) => {
      c.process.terminl = true;
      c.linux.resources.memory = { limitt: 5 };
      c.mounts[0].optons = ['ro'];
      c['x-vendor'] = { anything: 1 };
      // Maps take any key: not unknown properties.
      c.annotations = { 'org.example/anything': 'v' };
      c.linux.sysctl = { 'net.ipv4.ip_forward': '0' };
    });
    const expected = ['/process/terminl', '/mounts/0/optons', '/linux/resources/memory/limitt', '/x-vendor'].map((p) => `config.json: ${p}: unknown property, ignored`);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split('\n').sort()).toEqual(expected.map((w) => `cista: warning: ${w}`).sort());
    expect(r.log.sort()).toEqual(expected.sort());
  });

  it('a config as cista spec writes it gets none', () => {
    expect(runWithLog('unknown2', () => {})).toEqual({ code: 0, stderr: '', log: [] });
  });

  it('Docker\'s seccomp profile format gets one warning that names its keys and says it is not OCI\'s', () => {
    const r = runWithLog('docker1', (c) => (c.linux.seccomp = DOCKER_PROFILE));
    const warning =
      "config.json: /linux/seccomp: ignoring archMap, comment, includes, excludes: this is Docker's seccomp profile format, not OCI's; 1 syscall rule with includes/excludes conditions now applies to every process (convert the profile as Podman or containerd do)";
    expect(r).toEqual({ code: 0, stderr: `cista: warning: ${warning}\n`, log: [warning] });
  });
});
