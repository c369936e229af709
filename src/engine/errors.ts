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

/** config.json is malformed, fails the schema, or asks for something cista refuses or lacks. */
export class ConfigError extends CistaError {
  constructor(message: string) {
    super(message, 'ECONFIG');
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
