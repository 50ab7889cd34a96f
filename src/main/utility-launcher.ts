// Device hosts and the embedded target as Electron utility processes (Chromium's service
// launcher: they show up in the app's task manager and die with it). The child entries pick
// `process.parentPort` by themselves (src/shared/parent-channel.ts).
import { app, utilityProcess } from 'electron';
import { createInterface } from 'node:readline';
import { childRuntime, entryPath, type ChildEntry, type ChildHandle, type Launcher } from '../fleet/launcher.ts';
import { unpackedPath } from './packaged-paths.ts';

export type RunLogStream = 'stdout' | 'stderr' | 'event';
/** Where child output and lifecycle lines go: one call per line, already prefixed with `[name]`. */
export type RunLog = (line: string, stream: RunLogStream) => void;

export const consoleRunLog: RunLog = (line, stream) => (stream === 'stdout' ? console.log(line) : console.error(line));

/**
 * How long an exit waits for Electron's `child-process-gone` (which knows crash/oom/killed) before
 * reporting without it; the two events come from different Chromium observers in no fixed order.
 */
const GONE_GRACE_MS = 100;

/** Gone reasons worth reporting in place of a signal; clean and plain abnormal exits carry their code. */
const NOTABLE_REASONS = new Set(['killed', 'crashed', 'oom', 'launch-failed', 'integrity-failure', 'memory-eviction']);

interface LiveChild {
  reason: string | null;
}

export class ElectronUtilityLauncher implements Launcher {
  /** Running children by service name (the `name` Electron reports in `child-process-gone`). */
  private readonly live = new Map<string, LiveChild>();

  constructor(private readonly log: RunLog = consoleRunLog) {
    app.on('child-process-gone', (_event, details) => {
      if (details.type !== 'Utility' || !details.name) return;
      const child = this.live.get(details.name);
      if (!child) return;
      child.reason = details.reason;
      this.log(`[${details.name}] process gone: ${details.reason} (exit code ${details.exitCode})`, 'event');
    });
  }

  launch<In, Out>(entry: ChildEntry, name: string): ChildHandle<In, Out> {
    const { execArgv, env } = childRuntime(entry);
    const child = utilityProcess.fork(unpackedPath(entryPath(entry)), [`--fleetsim-name=${name}`], { serviceName: name, stdio: 'pipe', execArgv, env: { ...process.env, ...env } });
    const record: LiveChild = { reason: null };
    this.live.set(name, record);
    this.pipeLines(child.stdout, name, 'stdout');
    this.pipeLines(child.stderr, name, 'stderr');

    let exited = false;
    const exitHandlers: Array<(code: number | null, signal: string | null) => void> = [];
    child.on('error', (type, location) => this.log(`[${name}] ${type} at ${location}`, 'event'));
    child.on('exit', (code) => {
      exited = true;
      setTimeout(() => {
        if (this.live.get(name) === record) this.live.delete(name);
        // A utility process reports no signal; Electron's gone-reason is the closest thing to one.
        const reason = record.reason && NOTABLE_REASONS.has(record.reason) ? record.reason : null;
        for (const h of exitHandlers) h(code, reason);
      }, GONE_GRACE_MS);
    });

    return {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (exited) return;
        try {
          child.postMessage(message);
        } catch (err) {
          // Same contract as the headless launcher: a failed send never throws into the controller.
          this.log(`[${name}] message not sent: ${(err as Error).message}`, 'event');
        }
      },
      onMessage: (handler) => {
        child.on('message', (message) => handler(message as Out));
      },
      onExit: (handler) => {
        exitHandlers.push(handler);
      },
      kill: (signal = 'SIGKILL') => {
        if (exited) return;
        // utilityProcess.kill() is SIGTERM (and reaps); a hard kill goes to the pid directly.
        if (signal === 'SIGKILL' && child.pid !== undefined) {
          try {
            process.kill(child.pid, 'SIGKILL');
            return;
          } catch {
            // already gone, or not ours to signal: fall back to the graceful kill
          }
        }
        child.kill();
      },
    };
  }

  private pipeLines(stream: NodeJS.ReadableStream | null, name: string, kind: 'stdout' | 'stderr'): void {
    if (!stream) return;
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => this.log(`[${name}] ${line}`, kind));
    lines.on('error', () => {});
  }
}
