/**
 * The hooks the runtime runs itself, in the runtime namespace: prestart and createRuntime (create),
 * poststart (start), poststop (delete). createContainer and startContainer run in the container's
 * namespaces, in cista-init (native/init/hooks.cc), with the same argv/env/stdin rules.
 *
 * Hooks are user programs the spec requires us to run, so they are spawned directly (no shell),
 * by the host's waits (HostWaits.run: blocking for the CLI, on the event loop for the API).
 */
import { CistaError } from '../errors';
import type { Effect } from '../host/effect';
import type { HostWaits } from '../host/host';
import type { Hook } from '../spec/schema';
import type { ContainerRecord } from '../state/store';

export type HookKind = 'prestart' | 'createRuntime' | 'createContainer' | 'startContainer' | 'poststart' | 'poststop';

/** Where a hook failure that must not stop the operation (poststart, poststop) is reported. */
export type Warn = (message: string) => void;

/** The runtime-spec state a hook reads on stdin (and a seccomp agent gets, `creating` during create). */
export interface HookState {
  ociVersion: string;
  id: string;
  status: 'creating' | 'created' | 'running' | 'stopped';
  /** The init's pid as the host sees it; absent once it is gone (poststop). */
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

export function hookState(
  record: Pick<ContainerRecord, 'ociVersion' | 'id' | 'bundle' | 'annotations'>,
  status: HookState['status'],
  pid: number | undefined,
): HookState {
  // In the spec's field order, as `state` prints them.
  return {
    ociVersion: record.ociVersion,
    id: record.id,
    status,
    ...(pid !== undefined && pid > 0 ? { pid } : {}),
    bundle: record.bundle,
    ...(Object.keys(record.annotations).length > 0 ? { annotations: record.annotations } : {}),
  };
}

/** execv's argv: the hook's args as given (args[0] is argv[0]), or just its path without args. */
export function hookArgv(hook: Hook): string[] {
  return hook.args !== undefined && hook.args.length > 0 ? hook.args : [hook.path];
}

/**
 * The hook's env as an object, for spawn. Nothing of cista's own environment is added. As with
 * getenv(), the first of duplicate names wins; an entry without "=" names nothing and is dropped.
 */
export function hookEnvironment(hook: Hook): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of hook.env ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const name = entry.slice(0, eq);
    if (!(name in env)) env[name] = entry.slice(eq + 1);
  }
  return env;
}

/** A hook's output squeezed onto the one line of an error message. */
export function oneLine(output: Buffer | string | null): string {
  return (output ?? '').toString().trim().replace(/\s*\n\s*/g, ' ');
}

/** Runs one hook to completion; returns why it failed, or undefined when it exited 0. */
function* runHook(waits: HostWaits, hook: Hook, stdin: string): Effect<string | undefined> {
  const [argv0, ...args] = hookArgv(hook);
  const result = yield* waits.run({
    path: hook.path,
    argv0,
    args,
    env: hookEnvironment(hook),
    stdin,
    timeoutMs: hook.timeout !== undefined ? hook.timeout * 1000 : undefined,
  });
  const code = result.errorCode;
  if (code === 'ETIMEDOUT') return `timed out after ${hook.timeout}s, killed`;
  // A hook need not read its stdin: EPIPE on the state it left unread is no failure.
  if (code !== undefined && code !== 'EPIPE' && result.status === null && result.signal === null) {
    return `cannot execute ${hook.path}: ${code}`;
  }
  if (result.status === 0) return undefined;
  const reason = result.status !== null ? `exit status ${result.status}` : `killed by ${result.signal}`;
  return `${reason}, stdout: ${oneLine(result.stdout)}, stderr: ${oneLine(result.stderr)}`;
}

function failure(kind: HookKind, index: number, reason: string): string {
  return `error running ${kind} hook #${index}: ${reason}`;
}

/** Runs the hooks in order; the first failure throws (prestart, createRuntime). */
export function* runHooks(waits: HostWaits, kind: HookKind, hooks: readonly Hook[], state: HookState): Effect<void> {
  const stdin = JSON.stringify(state);
  for (const [index, hook] of hooks.entries()) {
    const reason = yield* runHook(waits, hook, stdin);
    if (reason !== undefined) throw new CistaError(failure(kind, index, reason));
  }
}

/** Runs every hook in order; a failure is a warning and the next hook still runs (poststart, poststop). */
export function* runHooksWarning(waits: HostWaits, kind: HookKind, hooks: readonly Hook[], state: HookState, warn: Warn): Effect<void> {
  const stdin = JSON.stringify(state);
  for (const [index, hook] of hooks.entries()) {
    const reason = yield* runHook(waits, hook, stdin);
    if (reason !== undefined) warn(failure(kind, index, reason));
  }
}
