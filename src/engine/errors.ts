/**
 * An error meant for the user: the CLI prints its message as one line (and one JSON log line)
 * and exits non-zero, never with a stack trace.
 */
export class CistaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CistaError';
  }
}

/** config.json is malformed, fails the schema, or asks for something cista refuses or lacks. */
export class ConfigError extends CistaError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
