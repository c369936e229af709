import { CistaError } from '../engine/errors';

/** The gRPC status codes ttrpc carries (containerd's errdefs maps them back to its errors). */
export const Code = {
  OK: 0,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  FAILED_PRECONDITION: 9,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
} as const;

/** A failure with the status code containerd should see. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** The status for any error a handler throws: cista's error codes become containerd's error kinds. */
export function statusOf(error: unknown): { code: number; message: string } {
  if (error instanceof StatusError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof CistaError) {
    const codes: Record<string, number> = { ENOCONTAINER: Code.NOT_FOUND, EEXIST: Code.ALREADY_EXISTS, ESTATE: Code.FAILED_PRECONDITION, ECONFIG: Code.INVALID_ARGUMENT };
    return { code: codes[error.code] ?? Code.UNKNOWN, message };
  }
  return { code: Code.UNKNOWN, message };
}
