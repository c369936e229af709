/** Reading config.json and checking it against the schema, with one-line errors that name the JSON path. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, errnoText } from '../errors';
import type { HostFiles } from '../host/host';
import { loadWithCodeCache } from '../code-cache';
import { parseJson } from '../json';
import { PACKAGE_ROOT } from '../paths';
import { jsonPointer, valueAtPointer } from './json-pointer';
import type { Spec } from './schema';
import { rejectNulBytes } from './semantic';
import { PATTERN_EXPLANATIONS } from './vocabulary';

/** The parts of an ajv error the generated validator reports (it is built with messages: false). */
interface SchemaViolation {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

type ConfigValidator = ((data: unknown) => boolean) & { errors?: SchemaViolation[] | null };

/** Built by src/build/compile-validator.ts; found from the package root by the module, its source and the CLI bundle alike. */
const GENERATED_VALIDATOR = path.join(PACKAGE_ROOT, 'dist', 'engine', 'spec', 'config-validator.generated.js');

let configValidator: ConfigValidator | undefined;

/** Loaded on first use so commands that never read a config (state, list, kill) skip it. */
function loadConfigValidator(): ConfigValidator {
  if (configValidator === undefined) {
    try {
      configValidator = loadWithCodeCache(GENERATED_VALIDATOR) as ConfigValidator;
    } catch (error) {
      if (!fs.existsSync(GENERATED_VALIDATOR)) {
        throw new Error(`the config validator ${GENERATED_VALIDATOR} is missing: run npm run build:ts`);
      }
      throw error;
    }
  }
  return configValidator;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
};

/** One schema violation as the ConfigError that names its path and says what is wrong. */
function describeViolation(violation: SchemaViolation, document: unknown): ConfigError {
  const { instancePath, keyword, params } = violation;
  const at = (pointer: string, problem: string) => new ConfigError(pointer, problem);
  switch (keyword) {
    case 'required':
      return at(instancePath + jsonPointer(String(params.missingProperty)), 'is required');
    case 'type':
      return at(instancePath, `must be ${TYPE_NAMES[String(params.type)] ?? String(params.type)}`);
    case 'enum':
      return at(instancePath, `must be one of ${(params.allowedValues as unknown[]).join(', ')}`);
    case 'pattern': {
      const explain = PATTERN_EXPLANATIONS[String(params.pattern)];
      const value = valueAtPointer(document, instancePath);
      return at(instancePath, explain ? explain(value) : `must match ${String(params.pattern)}`);
    }
    case 'minimum':
    case 'maximum':
      return at(instancePath, `must be ${String(params.comparison)} ${String(params.limit)}`);
    case 'integerRange':
      return at(instancePath, `must be an integer from ${String(params.min)} to ${String(params.max)}`);
    case 'minItems':
      return at(instancePath, `must have at least ${String(params.limit)} item(s)`);
    default:
      return at(instancePath, `fails the schema rule "${keyword}"`);
  }
}

/** Checks an already-parsed config against the schema; throws ConfigError naming the first violation. */
export function validateSpecObject(document: unknown): Spec {
  const validate = loadConfigValidator();
  if (!validate(document)) {
    const [violation] = validate.errors ?? [];
    throw violation ? describeViolation(violation, document) : new ConfigError('', 'fails the schema');
  }
  rejectNulBytes(document);
  return document as Spec;
}

/**
 * Runs `check` on a piece of a config given on its own (exec's --process, update's --resources)
 * placed at `pointer` in a minimal config. Its ConfigErrors then name `label` and the path inside
 * the piece ("process.json: /cwd: ...") instead of config.json.
 */
export function checkConfigPart<T>(pointer: '/process' | '/linux/resources', label: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (!(e instanceof ConfigError) || e.document !== 'config.json') throw e;
    if (e.pointer !== pointer && !e.pointer.startsWith(`${pointer}/`)) throw e;
    throw new ConfigError(e.pointer.slice(pointer.length), e.problem, label);
  }
}

/**
 * Reads and parses a JSON document given by the user (config.json, exec's --process, update's
 * --resources; 0 is stdin) with every integer exact; failures are ConfigErrors starting with `label`.
 */
export function readJsonDocument(files: Pick<HostFiles, 'readText'>, source: string | 0, label: string): unknown {
  let text: string;
  try {
    text = files.readText(source);
  } catch (error) {
    throw new ConfigError('', `cannot read${source === 0 || source === label ? '' : ` ${source}`}: ${errnoText(error)}`, label);
  }
  try {
    return parseJson(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new ConfigError('', `invalid JSON: ${error.message}`, label);
  }
}

/**
 * Reads and schema-checks <bundleDir>/config.json. `raw` is the parsed document as read (the same
 * object as `spec`, typed loosely) for callers that keep or forward it untouched.
 */
export function loadSpec(files: Pick<HostFiles, 'readText'>, bundleDir: string): { spec: Spec; raw: unknown } {
  const raw = readJsonDocument(files, path.join(bundleDir, 'config.json'), 'config.json');
  return { spec: validateSpecObject(raw), raw };
}
