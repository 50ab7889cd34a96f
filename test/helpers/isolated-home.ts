// Loaded before every test file (npm test: --import): runs, settings and the test PKI go to a
// fresh temporary FLEETSIM_HOME, never the developer's ~/.fleetsim. Child processes inherit it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.FLEETSIM_HOME = mkdtempSync(join(tmpdir(), 'fleetsim-home-'));
