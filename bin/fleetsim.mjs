#!/usr/bin/env node
// Thin launcher: the CLI itself is bundled into dist/ by `npm run build` (run automatically by npm install).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (!existsSync(cli)) {
  console.error('fleetsim: dist/cli.mjs is missing; run `npm run build` (npm install does it) and try again.');
  process.exit(1);
}
await import(pathToFileURL(cli).href);
