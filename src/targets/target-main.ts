// Child-process entry for the embedded target (forked by src/fleet/launcher.ts): driven by
// TargetCommand messages from the parent, answering with TargetEvent messages.
import { constants, setPriority } from 'node:os';
import type { TargetCommand, TargetEvent, TargetFault, TargetOptions } from '../contract/target.ts';
import { connectToParent } from '../shared/parent-channel.ts';
import { startEmbeddedTarget } from './embedded-target.ts';
import type { EmbeddedTarget } from './embedded-target.ts';

/** Stats (backpressure included) go to the parent twice a second. */
const STATS_EVERY_MS = 500;
/** Upper bound on the wait for the last event to reach the parent before leaving. */
const EXIT_GRACE_MS = 1000;

// Below normal priority: on a box shared with the generator, a saturated target must show up
// as latency and backlog at the target, not as a generator that misses its own schedule.
try {
  setPriority(constants.priority.PRIORITY_BELOW_NORMAL);
} catch (err) {
  process.stderr.write(`embedded target: priority unchanged: ${err instanceof Error ? err.message : String(err)}\n`);
}

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

function sendStats(t: EmbeddedTarget): void {
  const drops = t.takeDrops();
  channel.send(drops.length > 0 ? { type: 'stats', stats: t.stats(), drops } : { type: 'stats', stats: t.stats() });
}

function start(options: TargetOptions): void {
  if (target || stopping) return; // one target per process
  target = startEmbeddedTarget(options);
  target.then(
    (t) => {
      if (stopping) return; // stop() owns it now
      channel.send({ type: 'ready', pid: process.pid, ports: t.ports });
      statsTimer = setInterval(() => sendStats(t), STATS_EVERY_MS);
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
    const t = await target;
    // The last word before stopping, so the parent's record ends with the target's own final counts.
    if (t) sendStats(t);
    await t?.stop();
  } catch {
    // a failed start already reported fatal and is exiting
  }
  if (exitCode !== undefined) return;
  channel.send({ type: 'stopped' });
  exit(0);
}

/** Answers a fault with fault-done; a restart that could not listen again also ends the process. */
function fault(reqId: number, f: TargetFault): void {
  const reply = (affected: number, error?: string): void =>
    channel.send(error === undefined ? { type: 'fault-done', reqId, affected } : { type: 'fault-done', reqId, affected, error });
  if (!target) return reply(0, 'the target has not been started');
  if (stopping) return reply(0, 'the target is stopping');
  const running = target;
  running
    .then((t) => t.fault(f))
    .then(
      ({ affected }) => reply(affected),
      async (err: unknown) => {
        reply(0, messageOf(err));
        const failure = await running.then((t) => t.failure, () => undefined);
        if (failure && !stopping && exitCode === undefined) {
          // Nothing is listening any more: the parent learns it the way it learns of any lost target.
          channel.send({ type: 'fatal', message: failure.message });
          exit(1);
        }
      },
    );
}

function setAcceptRate(rate: number): void {
  target?.then(
    (t) => t.setAcceptRate(rate),
    () => {}, // a failed start already reported fatal
  ).catch((err: unknown) => process.stderr.write(`embedded target: set-accept-rate ignored: ${messageOf(err)}\n`));
}

function setMaxClientBuffer(bytes: number): void {
  target?.then(
    (t) => t.setMaxClientBuffer(bytes),
    () => {}, // a failed start already reported fatal
  ).catch((err: unknown) => process.stderr.write(`embedded target: set-max-client-buffer ignored: ${messageOf(err)}\n`));
}

channel.onMessage((command) => {
  switch (command.type) {
    case 'start':
      return start(command.options);
    case 'fault':
      return fault(command.reqId, command.fault);
    case 'set-accept-rate':
      return setAcceptRate(command.acceptRate);
    case 'set-max-client-buffer':
      return setMaxClientBuffer(command.bytes);
    case 'stop':
      return void stop();
  }
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
