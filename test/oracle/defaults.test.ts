import { describe, expect, it } from 'vitest';
import { defaultSpec } from '../../src/engine/spec/defaults';
import { officialConfigValidator } from './official-schema';

describe.each([false, true])('defaultSpec({ rootless: %s })', (rootless) => {
  it('passes the official runtime-spec schema', () => {
    const official = officialConfigValidator();
    expect(official(defaultSpec({ rootless })), JSON.stringify(official.errors)).toBe(true);
  });
});
