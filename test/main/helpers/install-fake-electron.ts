// Import this first, then load src/main modules with dynamic import(): from then on
// `import … from 'electron'` gets test/main/helpers/fake-electron.ts. (Static imports of
// src/main would be resolved before this module runs, so they would still see the real one.)
import { register } from 'node:module';

register('./electron-hooks.mjs', import.meta.url);
