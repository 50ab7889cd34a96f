// Utility processes simulated by Node children: the fake utilityProcess.fork starts the script
// with child_process.fork and a process.parentPort shim (parent-port-shim.mjs), so a device host
// or target runs for real through the parentPort code path.
import { fork } from 'node:child_process';
import { FakeUtilityProcess } from './fake-electron.ts';

const SHIM = new URL('./parent-port-shim.mjs', import.meta.url).href;

/** A utilityProcess.factory; `loaders` go before the shim (e.g. ['--import', 'tsx'] for sources). */
export function nodeUtilityProcesses(loaders: string[] = []) {
  return (modulePath: string, args: string[], options: Record<string, unknown>): FakeUtilityProcess => {
    const real = fork(modulePath, args, { execArgv: [...loaders, '--import', SHIM], stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced' });
    const child = new FakeUtilityProcess(modulePath, args, options, real.pid);
    real.stdout!.pipe(child.stdout);
    real.stderr!.pipe(child.stderr);
    real.on('message', (m) => child.emit('message', m));
    real.on('exit', (code) => child.emit('exit', code ?? 1));
    real.on('error', () => {});
    child.postMessage = (m: unknown) => {
      if (real.connected) real.send(m as object);
    };
    child.kill = () => real.kill('SIGTERM');
    return child;
  };
}
