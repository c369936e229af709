import { validateSpecObject } from '../../src/engine/spec/load';

/** The error message validateSpecObject throws, or undefined when the document passes. */
export function schemaError(document: unknown): string | undefined {
  try {
    validateSpecObject(document);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
