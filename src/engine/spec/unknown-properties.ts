/**
 * The config properties cista ignores because the runtime-spec does not define them: the spec says
 * to ignore them, a user needs to hear it (a misspelt key is otherwise a silent no-op). Docker's
 * seccomp profile format is recognised: its conditional rules (includes, excludes) and archMap are
 * not OCI's, and ignoring them silently would apply every conditional rule to every process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { PACKAGE_ROOT } from '../paths';
import { jsonPointer } from './json-pointer';

/** Built by src/build/compile-validator.ts from the schema. An object with neither key takes anything. */
interface PropertyTree {
  properties?: Record<string, PropertyTree>;
  /** A map (annotations, sysctl): any key, each value of this shape. */
  values?: PropertyTree;
  items?: PropertyTree;
}

const GENERATED_PROPERTIES = path.join(PACKAGE_ROOT, 'dist', 'engine', 'spec', 'config-properties.generated.json');

/** Docker's profile keys that OCI's seccomp lacks (containers-common's too): at the top, and in each syscall rule. */
const DOCKER_SECCOMP_TOP = new Set(['archMap', 'defaultErrno']);
const DOCKER_SECCOMP_RULE = new Set(['includes', 'excludes', 'comment', 'errno']);

function walk(value: unknown, tree: PropertyTree, pointer: string, found: string[]): void {
  if (Array.isArray(value)) {
    if (tree.items !== undefined) value.forEach((item, i) => walk(item, tree.items!, `${pointer}/${i}`, found));
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, child] of Object.entries(value)) {
    const childPointer = pointer + jsonPointer(key);
    const known = tree.properties !== undefined ? tree.properties[key] : tree.values;
    if (known === undefined) {
      if (tree.properties !== undefined) found.push(childPointer);
      continue;
    }
    walk(child, known, childPointer, found);
  }
}

/** The JSON paths of every property of `config` that the schema does not define. */
export function unknownProperties(config: unknown): string[] {
  const tree = JSON.parse(fs.readFileSync(GENERATED_PROPERTIES, 'utf8')) as PropertyTree;
  const found: string[] = [];
  walk(config, tree, '', found);
  return found;
}

const isNonEmptyObject = (value: unknown) => value !== null && typeof value === 'object' && Object.keys(value).length > 0;

/** How many syscall rules of a Docker-format profile are conditional (Docker applies them only to some processes). */
function conditionalRules(config: unknown): number {
  const syscalls = (config as { linux?: { seccomp?: { syscalls?: unknown } } }).linux?.seccomp?.syscalls;
  if (!Array.isArray(syscalls)) return 0;
  return syscalls.filter((rule) => isNonEmptyObject(rule?.includes) || isNonEmptyObject(rule?.excludes)).length;
}

/** One warning line per ignored property; Docker's seccomp keys in one line that says what they are. */
export function unknownPropertyWarnings(config: unknown, label = 'config.json'): string[] {
  const docker: string[] = [];
  const other: string[] = [];
  for (const pointer of unknownProperties(config)) {
    const top = /^\/linux\/seccomp\/([^/]+)$/.exec(pointer);
    const rule = /^\/linux\/seccomp\/syscalls\/\d+\/([^/]+)$/.exec(pointer);
    if ((top && DOCKER_SECCOMP_TOP.has(top[1])) || (rule && DOCKER_SECCOMP_RULE.has(rule[1]))) docker.push(pointer);
    else other.push(pointer);
  }
  const warnings = other.map((pointer) => `${label}: ${pointer}: unknown property, ignored`);
  if (docker.length > 0) {
    const keys = [...new Set(docker.map((p) => p.slice(p.lastIndexOf('/') + 1)))].join(', ');
    const conditional = conditionalRules(config);
    const rules = conditional === 0 ? '' : `; ${conditional} syscall rule${conditional === 1 ? '' : 's'} with includes/excludes conditions now appl${conditional === 1 ? 'ies' : 'y'} to every process`;
    warnings.unshift(`${label}: /linux/seccomp: ignoring ${keys}: this is Docker's seccomp profile format, not OCI's${rules} (convert the profile as Podman or containerd do)`);
  }
  return warnings;
}
