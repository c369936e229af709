import * as path from 'node:path';

/**
 * The package's root directory. This module sits two levels below it in every form it runs in:
 * src/engine/paths.ts (tests), dist/engine/paths.js (the API), and bundled into dist/cli/cista.js (the CLI).
 */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');
