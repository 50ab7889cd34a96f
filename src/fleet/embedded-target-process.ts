// Runs the embedded target in its own process (so it never shares the generator's event loop)
// and points embedded:… URLs at it.
import type { Scenario } from '../contract/scenario.ts';
import type { TargetCommand, TargetEvent, TargetPorts, TargetStats } from '../contract/target.ts';
import type { ChildHandle, Launcher } from './launcher.ts';

export interface RunningTarget {
  ports: TargetPorts;
  pid: number | undefined;
  lastStats: TargetStats | null;
  stop(): Promise<void>;
  onLost(handler: (reason: string) => void): void;
}

const START_TIMEOUT_MS = 15_000;

export async function launchEmbeddedTarget(launcher: Launcher, host = '127.0.0.1', ports: TargetPorts = { mqtt: 0, mqttWs: 0, rooms: 0 }): Promise<RunningTarget> {
  const child: ChildHandle<TargetCommand, TargetEvent> = launcher.launch('target', 'target');
  let stopping = false;
  let exited = false;
  const lostHandlers: Array<(reason: string) => void> = [];
  const exitWaiters: Array<() => void> = [];
  const target: RunningTarget = {
    ports,
    pid: child.pid,
    lastStats: null,
    stop: async () => {
      if (exited) return;
      stopping = true;
      const gone = new Promise<void>((r) => exitWaiters.push(r));
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    },
    onLost: (h) => lostHandlers.push(h),
  };
  const ready = new Promise<TargetPorts>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('embedded target did not start within 15 s')), START_TIMEOUT_MS);
    child.onMessage((m) => {
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve(m.ports);
      } else if (m.type === 'fatal') {
        clearTimeout(timer);
        reject(new Error(`embedded target: ${m.message}`));
      } else if (m.type === 'stats') {
        target.lastStats = m.stats;
      }
    });
    child.onExit((code, signal) => {
      exited = true;
      clearTimeout(timer);
      reject(new Error(`embedded target exited during start (${signal ?? `code ${code}`})`));
      for (const w of exitWaiters) w();
      if (!stopping) for (const h of lostHandlers) h(`embedded target exited (${signal ?? `code ${code}`})`);
    });
  });
  child.send({ type: 'start', options: { host, ports } });
  try {
    target.ports = await ready;
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return target;
}

/** Replaces embedded:mqtt / embedded:mqtt-ws / embedded:ws with the running target's addresses. */
export function resolveEmbeddedUrls(scenario: Scenario, ports: TargetPorts, host = '127.0.0.1'): Scenario {
  const urls: Record<string, string> = {
    'embedded:mqtt': `mqtt://${host}:${ports.mqtt}`,
    'embedded:mqtt-ws': `ws://${host}:${ports.mqttWs}/mqtt`,
    'embedded:ws': `ws://${host}:${ports.rooms}/`,
  };
  return { ...scenario, groups: scenario.groups.map((g) => ({ ...g, url: urls[g.url] ?? g.url })) };
}

export function usesEmbeddedTarget(scenario: Scenario): boolean {
  return scenario.target === 'embedded' && scenario.groups.some((g) => g.url.startsWith('embedded:'));
}
