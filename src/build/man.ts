/** Build step: writes dist/man/cista.8 from the command table, the one --help and completion use. */
import fs from 'node:fs';
import path from 'node:path';

import { COMMANDS, EXAMPLES, GLOBAL_OPTIONS } from '../cli/commands';
import { manPage } from '../cli/man-page';

export const MAN_PAGE = path.resolve(__dirname, '..', 'man', 'cista.8');

if (require.main === module) {
  const { version } = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  fs.mkdirSync(path.dirname(MAN_PAGE), { recursive: true });
  fs.writeFileSync(MAN_PAGE, manPage(COMMANDS, GLOBAL_OPTIONS, EXAMPLES, version));
}
