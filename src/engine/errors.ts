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
    super(pointer === '' ? `${document}: ${problem}` : `${document}: ${pointer}: ${problem}`);
    this.name = 'ConfigError';
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
