// Type-checks every TypeScript project of the repo: Node code, the renderer (DOM), and the
// Electron shell (against Electron's own types). Each has its own tsconfig.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const projects = ['tsconfig.json', 'renderer/tsconfig.json', 'tsconfig.electron.json'].filter((p) => existsSync(p));
let failed = false;
for (const p of projects) {
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', p], { stdio: 'inherit' });
    console.log(`typecheck ${p}: ok`);
  } catch {
    failed = true;
    console.error(`typecheck ${p}: failed`);
  }
}
process.exit(failed ? 1 : 0);
