import type { Status } from './state/status';

/**
 * What went wrong, as a stable code for programs (the API's users test `error.code`, never the
 * message): ECONFIG bad config or input, ENOCONTAINER no such container, EEXIST the id is taken,
 * ESTATE the container's status does not allow the operation, ECISTA anything else the user can act on.
 */
export type CistaErrorCode = 'ECISTA' | 'ECONFIG' | 'ENOCONTAINER' | 'EEXIST' | 'ESTATE';

/**
 * An error meant for the user: the CLI prints its message as one line (and one JSON log line)
 * and exits non-zero, never with a stack trace.
 */
export class CistaError extends Error {
  readonly code: CistaErrorCode;

  constructor(message: string, code: CistaErrorCode = 'ECISTA') {
    super(message);
    this.name = 'CistaError';
    this.code = code;
  }
}

/**
 * config.json (or a part of one given on its own: exec's --process, update's --resources) is
 * malformed, fails the schema, or asks for something cista refuses or lacks. The message is one
 * line, `config.json: /path: what to do`.
 */
export class ConfigError extends CistaError {
  /**
   * @param pointer the JSON pointer of the field at fault; '' for the document as a whole
   * @param problem what is wrong, in words a user can act on
   * @param document the document as the user knows it
   */
  constructor(
    readonly pointer: string,
    readonly problem: string,
    readonly document = 'config.json',
  ) {
    super(pointer === '' ? `${document}: ${problem}` : `${document}: ${pointer}: ${problem}`, 'ECONFIG');
    this.name = 'ConfigError';
  }
}

/** No container has this id. */
export class NoContainerError extends CistaError {
  constructor(readonly id: string) {
    super(`container ${id} does not exist`, 'ENOCONTAINER');
    this.name = 'NoContainerError';
  }
}

/** A container with this id exists already. */
export class ContainerExistsError extends CistaError {
  constructor(readonly id: string) {
    super(`container with id exists: ${id}`, 'EEXIST');
    this.name = 'ContainerExistsError';
  }
}

/** The container's current status does not allow the operation; `status` is that status. */
export class ContainerStateError extends CistaError {
  constructor(
    message: string,
    readonly status: Status,
  ) {
    super(message, 'ESTATE');
    this.name = 'ContainerStateError';
  }
}

/**
 * The one way a system error is worded in cista's messages: "no such file or directory (ENOENT)",
 * from Node's "ENOENT: no such file or directory, open '...'" (the path is left out: the message
 * names what it was doing) or from the addon's "what: no such file or directory" with `code` set.
 */
export function errnoText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === undefined) return message;
  const text = message.startsWith(`${code}: `) ? message.slice(code.length + 2).replace(/, \w+( '.*')?$/, '') : message;
  // libuv words ENOTSUP (EOPNOTSUPP on Linux) "operation not supported on socket", which misleads here.
  return `${text.replace(/ on socket$/, '')} (${code})`;
}
