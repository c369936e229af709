import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

import { REPO } from '../../helpers/cli';
import { definition } from '../../helpers/protocol';

/** Source files of both sides, without what protocol/generate.js writes. */
function sources(dir: string): string[] {
  const found: string[] = [];
  for (const e of fs.readdirSync(path.join(REPO, dir), { withFileTypes: true })) {
    const relative = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'generated') found.push(...sources(relative));
    else if (e.isFile() && /\.(ts|js|cc|h)$/.test(e.name)) found.push(relative);
  }
  return found;
}

interface Rule {
  what: string;
  line: RegExp;
  /** Only in files whose text matches this. */
  file?: RegExp;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const tagChars = definition.tags.flatMap((t) => t.values.map((v) => v.char));
const letters = [...new Set(tagChars.filter((c) => /[A-Za-z]/.test(c)))];
const others = [...new Set(tagChars.filter((c) => !/[A-Za-z]/.test(c)))];
const codes = [...new Set(tagChars)].map((c) => `0x${c.charCodeAt(0).toString(16)}`);
const names = [...definition.structs, ...definition.enums, ...definition.tags].map((t) => t.name).join('|');
/** Files that speak over the sync socket or the exec fifo, where any of these literals would be a tag. */
const SPEAKS_PROTOCOL = /fifo|sync socket|SyncTag|FifoAnswer/i;

const RULES: Rule[] = [
  {
    what: 'a protocol type defined again',
    line: new RegExp(
      `\\b((interface|struct|class|enum(\\s+class)?)\\s+(${names})\\b[^;]*\\{|(const|let|var)\\s+(${names})\\s*=|type\\s+(${names})\\s*=\\s*\\{)`,
    ),
  },
  { what: 'a sync tag or fifo answer as a literal', line: new RegExp(`(['"\`])(${letters.map(escape).join('|')})(\\1|\\$\\{)`) },
  { what: 'a sync tag or fifo answer as a literal', line: new RegExp(`(['"\`])(${others.map(escape).join('|')})(\\1|\\$\\{)`), file: SPEAKS_PROTOCOL },
  { what: 'a sync tag or fifo answer as a character code', line: new RegExp(`\\b(${codes.join('|')})\\b`), file: SPEAKS_PROTOCOL },
  { what: 'the BPF instruction limit written again', line: /^(?=.*\b4096\b)(?=.*(bpf|insn|instruction|sock_filter|seccomp|filter))/i },
  { what: "the kernel's BPF_MAXINSNS instead of the protocol's", line: /\bBPF_MAXINSNS\b/ },
  { what: 'the largest message size written again', line: /\b4194304\b|\b4 << 20\b|\b0x400000\b|\b4 \* 1024 \* 1024\b/ },
  { what: 'a format version written again', line: /FORMAT_VERSION|[Ff]ormatVersion|format_version/ },
  { what: 'a CLONE_NEW* flag defined again', line: /\bCLONE_NEW[A-Z]+\s*=\s*\d|#define\s+CLONE_NEW/ },
  { what: 'a namespace table written again', line: /(['"])(net|mnt)\1|case\s+CLONE_NEW[A-Z]+\s*:\s*return\s*"/ },
];

describe('the protocol is defined once', () => {
  it('no source file outside the generated ones restates a type, tag, limit, version or namespace of protocol/definition.js', () => {
    const found: string[] = [];
    for (const file of [...sources('src'), ...sources('native')]) {
      const text = fs.readFileSync(path.join(REPO, file), 'utf8');
      text.split('\n').forEach((line, i) => {
        for (const rule of RULES) {
          if ((rule.file === undefined || rule.file.test(text)) && rule.line.test(line)) found.push(`${file}:${i + 1}: ${rule.what}: ${line.trim()}`);
        }
      });
    }
    expect(found).toEqual([]);
  });

  it('catches what it looks for', () => {
    const caught = (line: string, file = ''): string[] =>
      RULES.filter((r) => (r.file === undefined || r.file.test(file)) && r.line.test(line)).map((r) => r.what);
    expect(caught("if (kind === 'R') return;")).toEqual(['a sync tag or fifo answer as a literal']);
    expect(caught("fs.writeSync(fd, `G${state}`);")).toEqual(['a sync tag or fifo answer as a literal']);
    expect(caught('if (write(fifo, "0", 1) != 1)', 'exec fifo')).toEqual(['a sync tag or fifo answer as a literal']);
    expect(caught('if (answer[0] === 0x30) return;', 'exec fifo')).toEqual(['a sync tag or fifo answer as a character code']);
    expect(caught('constexpr size_t kMaxInstructions = 4096;  // BPF')).toEqual(['the BPF instruction limit written again']);
    expect(caught('constexpr size_t kMaxPlanBytes = 4 << 20;')).toEqual(['the largest message size written again']);
    expect(caught('export const PLAN_FORMAT_VERSION = 6;')).toEqual(['a format version written again']);
    expect(caught('struct JoinNamespace {')).toEqual(['a protocol type defined again']);
    expect(caught('export interface LaunchPlan {')).toEqual(['a protocol type defined again']);
    expect(caught('export enum MountKind {')).toEqual(['a protocol type defined again']);
    expect(caught('export const CLONE_NEWNS = 0x00020000;')).toEqual(['a CLONE_NEW* flag defined again']);
    expect(caught("  network: 'net',")).toEqual(['a namespace table written again']);
    expect(caught('      case CLONE_NEWNET: return "net";')).toEqual(['a namespace table written again']);
    expect(caught('export const SyncTag = {')).toEqual(['a protocol type defined again']);
    expect(caught('  type JoinNamespace,')).toEqual([]);
    expect(caught('void join_namespaces(const LaunchPlan& plan) {')).toEqual([]);
  });
});
