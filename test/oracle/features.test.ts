import { describe, expect, it } from 'vitest';

import { runtimeFeatures } from '../../src/engine/operations/features';
import { CISTA, exec } from '../helpers/cli';
import { officialValidator } from './official-schema';

describe('cista features', () => {
  it('prints a features document the official features schema accepts', () => {
    const r = exec(CISTA, ['features']);
    expect(r.code).toBe(0);
    const features = JSON.parse(r.stdout);
    const validate = officialValidator('features-schema.json');
    expect(validate(features), JSON.stringify(validate.errors)).toBe(true);
    expect(features).toEqual(runtimeFeatures());
  });

  it('the official schema is a real oracle: it refuses a document without ociVersionMax', () => {
    const { ociVersionMax: _, ...incomplete } = runtimeFeatures();
    expect(officialValidator('features-schema.json')(incomplete)).toBe(false);
  });
});
