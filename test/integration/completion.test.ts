import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { CISTA, REPO, cista, exec } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;
let bashScript: string;

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('completion');
  bashScript = path.join(scratch.dir, 'cista.bash');
  const r = cista(scratch.root, ['completion', 'bash']);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  fs.writeFileSync(bashScript, r.stdout);
});
afterAll(() => scratch.cleanup());

/** What bash completes for the words typed so far (the last one is being completed). */
function complete(...words: string[]): string[] {
  const script = `PATH=${path.dirname(CISTA)}:$PATH; source ${bashScript}; COMP_WORDS=(cista ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _cista; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = exec('/bin/bash', ['-c', script]);
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean).sort();
}

/** The commands `cista --help` lists: the table the completion and the man page come from. */
function helpCommands(): string[] {
  const help = cista(scratch.root, ['--help']).stdout;
  const block = help.slice(help.indexOf('Commands:\n') + 10, help.indexOf('\n\nGlobal options:'));
  return block.split('\n').map((line) => line.trim().split(/\s+/)[0]);
}

describe('shell completion, from the command table', () => {
  it('bash completes commands, their flags, flag values and container ids', () => {
    expect(complete('cre')).toEqual(['create']);
    expect(complete('')).toEqual([...helpCommands()].sort());
    expect(complete('create', '--bu')).toEqual(['--bundle']);
    expect(complete('update', '--memory-')).toEqual(['--memory-reservation', '--memory-swap']);
    expect(complete('--log-format', '')).toEqual(['json', 'text']);
    expect(complete('list', '--format', '')).toEqual(['json', 'table']);
    expect(complete('check', '-f', '')).toEqual(['json', 'text']);
    const bundle = scratch.bundle('ids', ['sleep', '1000']);
    expect(cista(scratch.root, ['run', '-d', '--bundle', bundle, 'complete-me']).code).toBe(0);
    expect(complete('--root', scratch.root, 'kill', '')).toEqual(['complete-me']);
    expect(cista(scratch.root, ['delete', '--force', 'complete-me']).code).toBe(0);
    expect(leftovers(scratch.root, 'complete-me', bundle)).toEqual([]);
  });

  it('zsh loads its completion function', () => {
    requireFile('/usr/bin/zsh', 'zsh checks its completion script');
    const file = path.join(scratch.dir, '_cista');
    fs.writeFileSync(file, cista(scratch.root, ['completion', 'zsh']).stdout);
    expect(exec('/usr/bin/zsh', ['-n', file])).toMatchObject({ code: 0, stderr: '' });
    const r = exec('/usr/bin/zsh', ['-fc', `fpath=(${scratch.dir} $fpath); autoload -U compinit; compinit -u -d ${scratch.dir}/zcompdump; autoload -Uz _cista; echo \${_comps[cista]}`]);
    expect(r).toMatchObject({ code: 0, stdout: '_cista\n' });
  });

  it('refuses another shell by name', () => {
    expect(cista(scratch.root, ['completion', 'fish'])).toMatchObject({ code: 1, stderr: 'cista: completion: "fish" is not a shell cista completes: use bash or zsh\n' });
  });
});

describe('the man page, written by the build from the same table', () => {
  const manPage = path.join(REPO, 'dist', 'man', 'cista.8');

  it('renders without warnings and documents every command and flag --help shows', () => {
    requireFile('/usr/bin/groff', 'groff renders the man page');
    requireFile(manPage, 'the build writes the man page (npm run build:ts)');
    const rendered = exec('/usr/bin/groff', ['-man', '-Tutf8', '-P-cbou', '-ww', manPage]);
    expect(rendered).toMatchObject({ code: 0, stderr: '' });
    for (const name of helpCommands()) {
      expect(rendered.stdout).toContain(`cista ${name} [options]`);
      const help = cista(scratch.root, [name, '--help']).stdout;
      for (const [, flag] of help.matchAll(/^ {2}(?:-\w, )? *(--[\w-]+)/gm)) if (flag !== '--help') expect(rendered.stdout).toContain(flag);
    }
    expect(rendered.stdout).toMatch(/^SYNOPSIS$/m);
  });
});

describe('scripts/install.sh', () => {
  it('installs the command, the man page and both completions under a prefix', () => {
    const prefix = path.join(scratch.dir, 'prefix');
    const r = exec(path.join(REPO, 'scripts', 'install.sh'), [prefix]);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/^cista: installed .*\/bin\/cista \(cista version \d/) });
    expect(exec(path.join(prefix, 'bin', 'cista'), ['--version']).stdout).toMatch(/^cista version /);
    for (const file of ['share/man/man8/cista.8', 'share/bash-completion/completions/cista', 'share/zsh/vendor-completions/_cista']) {
      expect(fs.statSync(path.join(prefix, file)).size).toBeGreaterThan(1000);
    }
  });
});
