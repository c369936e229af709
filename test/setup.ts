import { afterEach } from 'vitest';

import { runnerTurn } from './helpers/runner-turn';

// Each test blocks at most for its own duration: see runnerTurn.
afterEach(runnerTurn);
