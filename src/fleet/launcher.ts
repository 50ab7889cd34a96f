// Starting child processes (device hosts, the embedded target) behind one interface:
// child_process.fork headless; Electron's utilityProcess.fork in the desktop app.
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ChildEntry = 'host' | 'target';

export interface ChildHandle<In, Out> {
  readonly pid: number | undefined;
  send(message: In): void;
  onMessage(handler: (message: Out) => void): void;
  /** Called once when the process is gone; code null means it was killed by a signal. */
  onExit(handler: (code: number | null, signal: string | null) => void): void;
  kill(signal?: NodeJS.Signals): void;
}

export interface Launcher {
  launch<In, Out>(entry: ChildEntry, name: string): ChildHandle<In, Out>;
}

const here = fileURLToPath(import.meta.url);
const runningFromSource = here.endsWith('.ts');
const SOURCE_ENTRIES: Record<ChildEntry, string> = {
  host: '../engine/host-main.ts',
  target: '../targets/target-main.ts',
};

/**
 * Children run from source too when we do, unless FLEETSIM_BUILT_CHILDREN=1 asks for the built
 * bundles (the bench: a child compiling TypeScript as it loads costs ~60 MB it would not have).
 */
const sourceChildren = () => runningFromSource && process.env.FLEETSIM_BUILT_CHILDREN !== '1';

/**
 * Device hosts hold tens of thousands of idle connections and allocate little per second: a
 * small young generation (V8's default lets it grow to 3 × 16 MB) and fewer malloc arenas keep
 * ~20-30 MB per host that would otherwise be resident for nothing. The old generation may grow
 * 10% past its live size before a full collection (V8 picks up to 4×): a host of 19k devices
 * (~45 MB live) then holds ~118 MB instead of ~128 MB, at no CPU cost we could measure.
 */
const HOST_V8_FLAGS = ['--max-semi-space-size=2', '--heap-growing-percent=10'];

export function childRuntime(entry: ChildEntry): { execArgv: string[]; env: Record<string, string> } {
  // FLEETSIM_HOST_NODE_ARGS adds Node flags to hosts (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p" to profile one).
  const extra = process.env.FLEETSIM_HOST_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  return entry === 'host' ? { execArgv: [...HOST_V8_FLAGS, ...extra], env: { MALLOC_ARENA_MAX: '2' } } : { execArgv: [], env: {} };
}

/** Where a child entry lives: next to the running bundle in dist/, or in src/ when run from source. */
export function entryPath(entry: ChildEntry): string {
  if (sourceChildren()) return join(dirname(here), SOURCE_ENTRIES[entry]);
  return join(dirname(here), runningFromSource ? '../../dist' : '.', `${entry}.mjs`);
}

export class ChildProcessLauncher implements Launcher {
  launch<In, Out>(entry: ChildEntry, name: string): ChildHandle<In, Out> {
    const child = fork(entryPath(entry), [`--fleetsim-name=${name}`], {
      execArgv: [...(sourceChildren() ? ['--import', 'tsx'] : []), ...childRuntime(entry).execArgv],
      env: { ...process.env, ...childRuntime(entry).env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      // Own process group: a terminal's Ctrl-C reaches only the controller, which then stops
      // the children cleanly (even one that has not yet installed a signal handler). A child
      // whose parent dies exits on its IPC 'disconnect'.
      detached: process.platform !== 'win32',
    });
    let exited = false;
    const exitHandlers: Array<(code: number | null, signal: string | null) => void> = [];
    child.on('exit', (code, signal) => {
      exited = true;
      for (const h of exitHandlers) h(code, signal);
    });
    // A send racing a child's death must not crash the controller; the exit handler reports it.
    child.on('error', () => {});
    return {
      pid: child.pid,
      send: (m) => {
        if (!exited && child.connected) child.send(m as object, () => {});
      },
      onMessage: (h) => child.on('message', (m) => h(m as Out)),
      onExit: (h) => exitHandlers.push(h),
      kill: (signal = 'SIGKILL') => {
        if (!exited) child.kill(signal);
      },
    };
  }
}
