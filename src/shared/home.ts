// Fleetsim's own directory: $FLEETSIM_HOME, or ~/.fleetsim. The test PKI, recorded runs,
// exports and the app settings live under it unless the user points them elsewhere.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function fleetsimHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.FLEETSIM_HOME || join(homedir(), '.fleetsim');
}

export function defaultRunsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(fleetsimHome(env), 'runs');
}

export function defaultExportsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(fleetsimHome(env), 'exports');
}

/** `~` and `~/…` as in a shell, then made absolute. */
export function expandHome(dir: string): string {
  return resolve(dir === '~' || dir.startsWith('~/') ? join(homedir(), dir.slice(1)) : dir);
}
