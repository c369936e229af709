/** JSON Pointers (RFC 6901), the paths cista's config errors name, e.g. /linux/namespaces/2/type. */

export function jsonPointer(...segments: readonly (string | number)[]): string {
  return segments.map((segment) => '/' + String(segment).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** The value at `pointer` inside `document`, or undefined when the path does not exist. */
export function valueAtPointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let value = document;
  for (const escaped of pointer.slice(1).split('/')) {
    if (value === null || typeof value !== 'object') return undefined;
    const segment = escaped.replace(/~1/g, '/').replace(/~0/g, '~');
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
