// Child-process entry for the embedded target (forked by src/fleet/launcher.ts): driven by
// TargetCommand messages from the parent, answering with TargetEvent messages.
import type { TargetCommand, TargetEvent, TargetOptions } from '../contract/target.ts';
import { connectToParent } from '../engine/parent-channel.ts';
import { startEmbeddedTarget } from './embedded-target.ts';
import type { EmbeddedTarget } from './embedded-target.ts';

const STATS_EVERY_MS = 1000;
/** Upper bound on the wait for the last event to reach the parent before leaving. */
const EXIT_GRACE_MS = 1000;

const channel = connectToParent<TargetCommand, TargetEvent>();
let target: Promise<EmbeddedTarget> | undefined;
let statsTimer: NodeJS.Timeout | undefined;
let stopping = false;
let exitCode: number | undefined;

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function exit(code: number): void {
  if (exitCode !== undefined) return;
  exitCode = code;
  clearInterval(statsTimer);
  // Disconnecting (after the last send) ends the process via the 'disconnect' handler below;
  // the timer covers the Electron channel, which has no disconnect.
  if (process.connected) process.disconnect();
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
}

function start(options: TargetOptions): void {
  if (target || stopping) return; // one target per process
  target = startEmbeddedTarget(options);
  target.then(
    (t) => {
      if (stopping) return; // stop() owns it now
      channel.send({ type: 'ready', pid: process.pid, ports: t.ports });
      statsTimer = setInterval(() => channel.send({ type: 'stats', stats: t.stats() }), STATS_EVERY_MS);
    },
    (err: unknown) => {
      channel.send({ type: 'fatal', message: messageOf(err) });
      exit(1);
    },
  );
}

async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(statsTimer);
  try {
    await (await target)?.stop();
  } catch {
    // a failed start already reported fatal and is exiting
  }
  if (exitCode !== undefined) return;
  channel.send({ type: 'stopped' });
  exit(0);
}

channel.onMessage((command) => {
  if (command.type === 'start') start(command.options);
  else if (command.type === 'stop') void stop();
});

// No orphans: when the parent goes away (or we disconnected ourselves above), leave at once.
process.on('disconnect', () => process.exit(exitCode ?? 0));
// Ctrl+C in a terminal reaches the whole process group; the parent decides when the target
// stops (devices still connected must not see it vanish first), and disconnect bounds our life.
process.on('SIGINT', () => {});
process.on('uncaughtException', (err) => {
  channel.send({ type: 'fatal', message: messageOf(err) });
  exit(1);
});
