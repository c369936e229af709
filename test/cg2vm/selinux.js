// SELinux labels on a real SELinux kernel: the cg2vm guest booted with
// `security=selinux selinux=1 enforcing=0` and Debian's reference policy (selinux-policy-default),
// loaded here with load_policy. That policy has no container module: the labels are libvirt's
// svirt types, which serve the same purpose. Permissive, so nothing is denied, but every label is set and shown:
// the container's process and an exec'd one run with process.selinuxLabel, its session keyring was
// created with it, and linux.mountLabel is the context of its tmpfs and devpts (a mount option) and
// of its mqueue (a file label). Run by test/cg2vm/run.sh in a VM boot of its own.
'use strict';
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '../..');
const PROCESS_LABEL = 'system_u:system_r:svirt_t:s0:c1,c2';
const MOUNT_LABEL = 'system_u:object_r:svirt_image_t:s0:c1,c2';

/** The security label of the key named `description` that /proc/keys shows (KEYCTL_GET_SECURITY, with Python's ctypes). */
function keyLabel(description) {
  const line = fs.readFileSync('/proc/keys', 'utf8').split('\n').find((l) => l.trim().endsWith(`${description}: empty`) || l.includes(` ${description}:`));
  assert.ok(line, `no key ${description} in /proc/keys`);
  const id = parseInt(line.split(' ')[0], 16);
  const script = `import ctypes; b = ctypes.create_string_buffer(256); n = ctypes.CDLL(None, use_errno=True).syscall(250, 17, ${id}, b, 256); print(b.value.decode() if n > 0 else 'error %d' % ctypes.get_errno())`;
  return spawnSync('python3', ['-c', script], { encoding: 'utf8' }).stdout.trim();
}

function xattrLabel(file) {
  const script = `import os, sys; print(os.getxattr(sys.argv[1], 'security.selinux').rstrip(b'\\0').decode())`;
  return spawnSync('python3', ['-c', script, file], { encoding: 'utf8' }).stdout.trim();
}

function mountOptions(pid, destination) {
  const line = fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').find((l) => l.split(' ')[4] === destination);
  assert.ok(line, `no mount on ${destination}`);
  return line.split(' - ')[1];
}

function main() {
  if (!fs.existsSync('/sys/kernel/security/lsm') || !fs.readFileSync('/sys/kernel/security/lsm', 'utf8').includes('selinux')) {
    throw new Error('SELinux checks: boot the guest with --append "security=selinux selinux=1 enforcing=0"');
  }
  const loaded = spawnSync('load_policy', ['-i'], { encoding: 'utf8' });
  assert.equal(loaded.status, 0, `load_policy (Debian package selinux-policy-default): ${loaded.stderr}`);
  const scratch = fs.mkdtempSync('/tmp/cista-selinux-');
  const cista = require('./resources-v2').cistaIn(scratch);
  try {
    const bundle = path.join(scratch, 'bundle');
    const made = spawnSync(path.join(repo, 'scripts/example-bundle.sh'), [bundle, 'sleep', '1000'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const configFile = path.join(bundle, 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    config.process.selinuxLabel = PROCESS_LABEL;
    config.linux.mountLabel = MOUNT_LABEL;
    fs.writeFileSync(configFile, JSON.stringify(config));

    assert.deepEqual(cista('run', '--detach', '--bundle', bundle, 'se'), { status: 0, output: '' });
    const pid = JSON.parse(cista('state', 'se').output).pid;
    assert.equal(fs.readFileSync(`/proc/${pid}/attr/current`, 'utf8').replace(/\0/g, '').trim(), PROCESS_LABEL);
    const exec = cista('exec', 'se', 'cat', '/proc/self/attr/current');
    assert.equal(exec.output.replace(/\0/g, '').trim(), PROCESS_LABEL);
    for (const destination of ['/dev', '/dev/pts', '/dev/shm']) {
      assert.match(mountOptions(pid, destination), new RegExp(`context="?${MOUNT_LABEL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?`), destination);
    }
    assert.equal(xattrLabel(`/proc/${pid}/root/dev/mqueue`), MOUNT_LABEL);
    assert.equal(keyLabel('_ses.se'), PROCESS_LABEL);
    assert.equal(cista('delete', '--force', 'se').status, 0);
    console.log('ok - SELinux: process, exec, keyring and mount labels');
  } finally {
    cista('delete', '--force', 'se');
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  console.error(`not ok - ${error.stack ?? error}`);
  process.exit(1);
}
