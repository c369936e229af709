/**
 * What the user reads when a command fails: one line. A CistaError says it itself; a system error
 * on a path (a file the user named, a directory cista needs) says which path and what went wrong;
 * a refusal for lack of privilege says what to do. Anything else is a bug: "internal error".
 */
import { CistaError, errnoText } from '../engine/errors';

const PERMISSION_HINT = 'run as root or use a rootless config (cista spec --rootless)';

function isPermissionError(code: string | undefined, message: string): boolean {
  return code === 'EACCES' || code === 'EPERM' || /\b(EACCES|EPERM)\b|permission denied|operation not permitted/i.test(message);
}

/** The line for a failure, and whether it is a bug (so --debug shows its stack). */
export function describeFailure(e: unknown): { message: string; internal: boolean } {
  const error = e as NodeJS.ErrnoException;
  const unprivileged = process.geteuid?.() !== 0;
  const hint = (message: string, code?: string) => (unprivileged && isPermissionError(code, message) ? `${message}: ${PERMISSION_HINT}` : message);
  if (e instanceof CistaError) return { message: hint(error.message), internal: false };
  if (typeof error?.code === 'string' && /^E[A-Z]+$/.test(error.code) && typeof error.syscall === 'string') {
    const where = error.path === undefined ? error.syscall : `${error.syscall} ${error.path}`;
    return { message: hint(`${where}: ${errnoText(error)}`, error.code), internal: false };
  }
  // The addon's system errors say what they did and with which path ("connecting to console socket /x: ...").
  if (typeof error?.code === 'string' && /^E[A-Z]+$/.test(error.code) && typeof error.errno === 'number') {
    return { message: hint(errnoText(error), error.code), internal: false };
  }
  return { message: `internal error: ${error?.message ?? String(e)}`, internal: true };
}
