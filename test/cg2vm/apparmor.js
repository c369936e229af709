// process.apparmorProfile on a real AppArmor kernel (the cg2vm guest): a test profile loaded with
// apparmor_parser denies reading one file and CAP_CHOWN; the container's process and an exec'd one
// run confined from their execve (/proc/self/attr/current names the profile), the denied operations
// fail and the allowed ones work. Called from devices-v2.js so that the slow VM starts one node process.
'use strict';
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '../..');
const PROFILE = 'cista-test';

// Everything a busybox container needs, except reading /denied and chown.
const PROFILE_TEXT = `abi <abi/3.0>,
profile ${PROFILE} flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  unix,
  signal,
  ptrace,
  mount,
  umount,
  pivot_root,
  deny /denied r,
  deny capability chown,
}
`;

function prerequisitesMissing() {
  const missing = [];
  if (!fs.existsSync('/sys/kernel/security/apparmor')) missing.push('AppArmor enabled in the kernel');
  if (!fs.existsSync('/sbin/apparmor_parser')) missing.push('apparmor_parser (Debian package apparmor)');
  return missing;
}

function runAppArmorChecks() {
  const missing = prerequisitesMissing();
  if (missing.length > 0) throw new Error(`AppArmor checks: missing prerequisites: ${missing.join(', ')}`);
  const scratch = fs.mkdtempSync('/tmp/cista-aa-');
  const cista = require('./resources-v2').cistaIn(scratch);
  const profileFile = path.join(scratch, PROFILE);
  fs.writeFileSync(profileFile, PROFILE_TEXT);
  const loaded = spawnSync('/sbin/apparmor_parser', ['--replace', '--skip-cache', profileFile], { encoding: 'utf8' });
  assert.equal(loaded.status, 0, loaded.stderr);
  try {
    const bundle = path.join(scratch, 'bundle');
    const made = spawnSync(path.join(repo, 'scripts/example-bundle.sh'), [bundle, 'sleep', '1000'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    fs.writeFileSync(path.join(bundle, 'rootfs/allowed'), 'allowed\n');
    fs.writeFileSync(path.join(bundle, 'rootfs/denied'), 'denied\n');
    const configFile = path.join(bundle, 'config.json');
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    config.process.apparmorProfile = PROFILE;
    // CAP_CHOWN granted, so that only the profile can refuse chown.
    for (const set of ['bounding', 'effective', 'permitted']) config.process.capabilities[set].push('CAP_CHOWN');
    config.root.readonly = false;
    fs.writeFileSync(configFile, JSON.stringify(config));

    const probe = [
      'cat /proc/self/attr/current',
      'cat /allowed',
      'cat /denied >/dev/null 2>&1 && echo read:ok || echo read:denied',
      'chown 1 /allowed 2>/dev/null && echo chown:ok || echo chown:denied',
    ].join('; ');
    const expected = [`${PROFILE} (enforce)`, 'allowed', 'read:denied', 'chown:denied'];

    assert.deepEqual(cista('run', '--detach', '--bundle', bundle, 'aa'), { status: 0, output: '' });
    const pid = JSON.parse(cista('state', 'aa').output).pid;
    assert.equal(fs.readFileSync(`/proc/${pid}/attr/current`, 'utf8').trim(), `${PROFILE} (enforce)`);
    const exec = cista('exec', 'aa', 'sh', '-c', probe);
    assert.equal(exec.status, 0, exec.output);
    assert.deepEqual(exec.output.trim().split('\n'), expected);
    assert.equal(cista('delete', '--force', 'aa').status, 0);

    config.process.args = ['sh', '-c', probe];
    fs.writeFileSync(configFile, JSON.stringify(config));
    const run = cista('run', '--bundle', bundle, 'aa');
    assert.equal(run.status, 0, run.output);
    assert.deepEqual(run.output.trim().split('\n'), expected);

    // Without the profile the same container may do both: the profile made the difference.
    delete config.process.apparmorProfile;
    fs.writeFileSync(configFile, JSON.stringify(config));
    const unconfined = cista('run', '--bundle', bundle, 'aa');
    assert.deepEqual(unconfined.output.trim().split('\n'), ['unconfined', 'allowed', 'read:ok', 'chown:ok']);

    // A profile the kernel does not have: create fails, saying which.
    config.process.apparmorProfile = 'cista-no-such-profile';
    fs.writeFileSync(configFile, JSON.stringify(config));
    const missingProfile = cista('run', '--bundle', bundle, 'aa');
    assert.equal(missingProfile.status, 1);
    assert.match(missingProfile.output, /applying AppArmor profile "cista-no-such-profile"/);
    console.log('ok - AppArmor: the container process and exec run confined by process.apparmorProfile');
  } finally {
    cista('delete', '--force', 'aa');
    spawnSync('/sbin/apparmor_parser', ['--remove', profileFile]);
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

module.exports = { runAppArmorChecks };
