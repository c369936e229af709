/**
 * Fields cista does not implement yet. Running a container while silently ignoring part of its
 * configuration (a username to resolve, a command line) would be worse than refusing it, so each such
 * field, when present and not empty, is an error. Delete a row when its feature lands.
 */
import { ConfigError } from '../errors';
import { jsonPointer } from './json-pointer';
import type { Spec } from './schema';

interface UnsupportedField {
  /** A JSON Pointer in which `*` stands for each index of an array. */
  path: string;
  /** Narrows the rejection to the values this returns true for; by default any non-empty value. */
  only?: (value: unknown) => boolean;
}

/** In document order, so the first match reported is the first one a reader meets. */
const UNSUPPORTED_FIELDS: readonly UnsupportedField[] = [
  { path: '/process/commandLine' },
  { path: '/process/user/username' },
  // Every mount of a plan is a new one: there is nothing to remount.
  { path: '/mounts/*/options/*', only: (option) => option === 'remount' },
  // Other platforms' sections: cista runs Linux containers only.
  { path: '/solaris' },
  { path: '/windows' },
  { path: '/vm' },
  { path: '/zos' },
  { path: '/freebsd' },
];

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

/** Each concrete [pointer, value] that `segments` (with `*` for array indices) reaches in `value`. */
function* reach(value: unknown, segments: readonly string[], pointer = ''): Generator<[string, unknown]> {
  if (segments.length === 0) {
    yield [pointer, value];
    return;
  }
  const [segment, ...rest] = segments;
  if (segment === '*') {
    if (!Array.isArray(value)) return;
    for (let index = 0; index < value.length; index++) {
      yield* reach(value[index], rest, pointer + jsonPointer(index));
    }
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    yield* reach((value as Record<string, unknown>)[segment], rest, pointer + jsonPointer(segment));
  }
}

/**
 * With a new user namespace the runtime's thread enters the joined namespaces around clone(), which
 * it cannot do for a time namespace (and the init, once in the new user namespace, may not). A
 * joined mount namespace is semantic.ts's: it cannot work at all.
 */
function rejectJoinedTimeNamespaceWithNewUser(spec: Spec): void {
  const namespaces = spec.linux?.namespaces ?? [];
  const user = namespaces.find((ns) => ns.type === 'user');
  if (user === undefined || user.path !== undefined) return;
  namespaces.forEach((ns, index) => {
    if (ns.type === 'time' && ns.path !== undefined) {
      throw new ConfigError(`/linux/namespaces/${index}/path`, 'joining a time namespace together with a new user namespace is not supported yet');
    }
  });
}

/** Throws ConfigError("config.json: <path>: not supported yet") for the first field cista cannot honour. */
export function rejectUnsupported(spec: Spec): void {
  rejectJoinedTimeNamespaceWithNewUser(spec);
  for (const field of UNSUPPORTED_FIELDS) {
    for (const [pointer, value] of reach(spec, field.path.slice(1).split('/'))) {
      if (field.only ? field.only(value) : !isEmpty(value)) {
        const detail = field.only ? `${JSON.stringify(value)} ` : '';
        throw new ConfigError(pointer, `${detail}not supported yet`);
      }
    }
  }
}

/** Whether cista implements the field at `pointer` (`cista check` says what a host feature is good for). */
export function isImplemented(pointer: string): boolean {
  return !UNSUPPORTED_FIELDS.some((field) => field.path === pointer && field.only === undefined);
}
