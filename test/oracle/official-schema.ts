import fs from 'node:fs';
import path from 'node:path';
import Ajv04 from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import { sharedPath } from '../helpers/shared';

export const RUNTIME_SPEC_DIR = () => sharedPath('runtime-spec-v1.3.0');

/**
 * A validator for one of the official schemas (JSON Schema draft-04): config-schema.json or
 * features-schema.json. Their files $ref each other by file name, so each is added under its file
 * name as id. defs.json in v1.3.0 has one malformed reference, "#definitions/uint32" (no slash),
 * which ajv refuses; it is repaired in memory.
 */
export function officialValidator(schemaFile: 'config-schema.json' | 'features-schema.json'): ValidateFunction {
  const dir = RUNTIME_SPEC_DIR();
  const ajv = new Ajv04({ strict: false, allErrors: true });
  for (const file of fs.readdirSync(dir)) {
    if (!/^(config|defs|features).*\.json$/.test(file)) continue;
    const text = fs.readFileSync(path.join(dir, file), 'utf8').replaceAll('"#definitions/', '"#/definitions/');
    const schema = JSON.parse(text);
    ajv.addSchema({ ...schema, id: file });
  }
  const validate = ajv.getSchema(schemaFile);
  if (!validate) throw new Error(`official ${schemaFile} did not compile`);
  return validate;
}

export function officialConfigValidator(): ValidateFunction {
  return officialValidator('config-schema.json');
}

export function configFixtures(kind: 'good' | 'bad'): { name: string; file: string }[] {
  const dir = path.join(RUNTIME_SPEC_DIR(), 'test', 'config', kind);
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .map((name) => ({ name, file: path.join(dir, name) }));
}
