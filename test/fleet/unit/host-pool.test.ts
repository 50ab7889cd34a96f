// The host pool against a fake Launcher: no processes, every host's side played by the test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostCommand, HostEvent, Shard } from '../../../src/contract/host-protocol.ts';
import type { MetricsBatch } from '../../../src/contract/metrics.ts';
import { validateScenario } from '../../../src/contract/validate.ts';
import { HOST_ANSWER_TIMEOUT_MS, HostPool, HostRequestError, HostTimeoutError, type HostTimeouts } from '../../../src/fleet/host-pool.ts';
import type { HostSlot } from '../../../src/fleet/host-slot.ts';
import type { ChildEntry, ChildHandle, Launcher } from '../../../src/fleet/launcher.ts';
import { hostBatch } from '../../helpers/host-batch.ts';

/** How a fake host behaves on its own: ready after init, exit after stop (unless told otherwise). */
interface Behaviour {
  ready?: boolean;
  stops?: boolean;
}

/** One fake host process: records what it is sent, and the test makes it speak or exit. */
class FakeHost implements ChildHandle<HostCommand, HostEvent> {
  readonly sent: HostCommand[] = [];
  readonly kills: NodeJS.Signals[] = [];
  exited = false;
  private readonly messageHandlers: Array<(e: HostEvent) => void> = [];
  private readonly exitHandlers: Array<(code: number | null, signal: string | null) => void> = [];

  constructor(
    readonly entry: ChildEntry,
    readonly name: string,
    readonly pid: number,
    private readonly behaviour: Behaviour,
  ) {}

  send(command: HostCommand): void {
    // Recorded even after exit (a real handle drops it), so a test sees what the pool sent to the dead.
    this.sent.push(command);
    if (this.exited) return;
    // Like a process, it answers later, not inside send().
    if (command.type === 'init' && this.behaviour.ready !== false) setImmediate(() => this.emit({ type: 'ready', hostId: command.init.hostId, pid: this.pid, fdLimit: 1024 }));
    if (command.type === 'stop' && this.behaviour.stops !== false) {
      setImmediate(() => {
        this.emit({ type: 'stopped', hostId: 0 });
        this.exit(0, null);
      });
    }
  }

  onMessage(handler: (e: HostEvent) => void): void {
    this.messageHandlers.push(handler);
  }

  onExit(handler: (code: number | null, signal: string | null) => void): void {
    this.exitHandlers.push(handler);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.kills.push(signal);
    if (!this.exited) setImmediate(() => this.exit(null, signal));
  }

  /** A message from the host; one may still arrive after its exit (IPC drains after 'exit'). */
  emit(event: HostEvent): void {
    for (const h of this.messageHandlers) h(event);
  }

  exit(code: number | null, signal: string | null): void {
    if (this.exited) return;
    this.exited = true;
    for (const h of this.exitHandlers) h(code, signal);
  }

  /** The last request sent with a reqId. */
  lastRequest(): Extract<HostCommand, { reqId: number }> {
    const r = this.sent.filter((c): c is Extract<HostCommand, { reqId: number }> => 'reqId' in c).at(-1);
    assert.ok(r, `${this.name} was asked nothing`);
    return r;
  }
}

class FakeLauncher implements Launcher {
  readonly launched: FakeHost[] = [];
  constructor(private readonly behaviourOf: (n: number) => Behaviour = () => ({})) {}

  launch<In, Out>(entry: ChildEntry, name: string): ChildHandle<In, Out> {
    const host = new FakeHost(entry, name, 1000 + this.launched.length, this.behaviourOf(this.launched.length));
    this.launched.push(host);
    // The pool speaks the host protocol; the fake is typed for exactly that.
    return host as unknown as ChildHandle<In, Out>;
  }
}

const v = validateScenario({ groups: [{ protocol: 'mqtt', url: 'mqtt://127.0.0.1:1', count: 6 }] });
if (!v.ok) throw new Error(v.problems.join('; '));
const scenario = v.scenario;
const shards: Shard[][] = [[{ group: 0, first: 0, count: 3 }], [{ group: 0, first: 3, count: 3 }]];

function pool(launcher = new FakeLauncher(), timeouts: Partial<HostTimeouts> = {}) {
  const batches: MetricsBatch[] = [];
  const lost: Array<{ hostId: number; reason: string; everyHostLost: boolean }> = [];
  const p = new HostPool(
    launcher,
    {
      init: (hostId, s) => ({ hostId, scenario, shards: s, connectRate: 10 * (hostId + 1), groupRates: {}, batchIntervalMs: 250 }),
      batch: (b) => batches.push(b),
      lost: (host: HostSlot, reason, everyHostLost) => lost.push({ hostId: host.hostId, reason, everyHostLost }),
    },
    timeouts,
  );
  return { pool: p, launcher, batches, lost };
}

async function running(launcher = new FakeLauncher(), timeouts: Partial<HostTimeouts> = {}) {
  const r = pool(launcher, timeouts);
  await r.pool.launch(shards);
  r.pool.startAll();
  return r;
}

test('launch: one host per shard list, each sent its own init, ready with its pid; startAll starts them', async () => {
  const { pool: p, launcher } = pool();
  await p.launch(shards);
  assert.deepEqual(launcher.launched.map((h) => [h.entry, h.name]), [['host', 'host-0'], ['host', 'host-1']]);
  const inits = launcher.launched.map((h) => h.sent[0]);
  assert.deepEqual(inits.map((c) => c.type === 'init' && [c.init.hostId, c.init.shards, c.init.connectRate]), [[0, shards[0], 10], [1, shards[1], 20]]);
  assert.deepEqual(p.slots.map((s) => [s.hostId, s.state, s.pid, s.devices]), [[0, 'starting', 1000, 3], [1, 'starting', 1001, 3]]);
  p.startAll();
  assert.deepEqual(p.slots.map((s) => s.state), ['running', 'running']);
  assert.deepEqual(launcher.launched.map((h) => h.sent.at(-1)), [{ type: 'start' }, { type: 'start' }]);
});

test('launch fails with the reason of the host that did not come up', async () => {
  const exits = pool(new FakeLauncher((n) => ({ ready: n !== 1 })));
  const launching = exits.pool.launch(shards);
  exits.launcher.launched[1].exit(3, null);
  await assert.rejects(launching, (err: Error) => err.message === 'host 1 exited during start (code 3)');

  const fatal = pool(new FakeLauncher(() => ({ ready: false })));
  const failing = fatal.pool.launch([shards[0]]);
  fatal.launcher.launched[0].emit({ type: 'fatal', hostId: 0, message: 'cannot raise the open-file limit\n  at stack' });
  await assert.rejects(failing, /host 0: cannot raise the open-file limit/);

  const silent = pool(new FakeLauncher(() => ({ ready: false })), { readyMs: 20 });
  await assert.rejects(silent.pool.launch([shards[0]]), (err: Error) => err instanceof HostTimeoutError && err.timeout === 'readyMs' && err.message === 'host 0 did not start within 0.02 s');
});

test('events are routed: batches to the run (not from a lost host), a stop report marks the host stopped', async () => {
  const { pool: p, launcher, batches } = await running();
  const [h0, h1] = launcher.launched;
  h0.emit({ type: 'batch', batch: hostBatch(0, 1) });
  h1.emit({ type: 'batch', batch: hostBatch(1, 2) });
  assert.deepEqual(batches.map((b) => [b.hostId, b.at]), [[0, 1], [1, 2]]);
  h1.emit({ type: 'stopped', hostId: 1 });
  assert.equal(p.slots[1].state, 'stopped');
  h0.exit(null, 'SIGKILL');
  assert.equal(p.slots[0].state, 'lost');
  // A lost host's last words (a batch still in the pipe) are not counted.
  h0.emit({ type: 'batch', batch: hostBatch(0, 3) });
  assert.deepEqual(batches.map((b) => b.at), [1, 2]);
});

test('ask: the question goes out with a reqId and resolves with the answer that carries it, typed by kind', async () => {
  const { pool: p, launcher } = await running();
  const [h0, h1] = launcher.launched;
  const counts = p.ask(0, { type: 'count-devices', filter: { state: 'online' } });
  const first = h0.lastRequest();
  assert.deepEqual({ ...first, reqId: 0 }, { type: 'count-devices', filter: { state: 'online' }, reqId: 0 });
  const log = p.ask(1, { type: 'device-log', group: 0, index: 4 });
  const second = h1.lastRequest();
  assert.notEqual(first.reqId, second.reqId);
  // Answered out of order: each goes to its own question.
  h1.emit({ type: 'device-log', reqId: second.reqId, log: null });
  h0.emit({ type: 'device-counts', reqId: first.reqId, counts: [2] });
  assert.deepEqual(await counts, { type: 'device-counts', reqId: first.reqId, counts: [2] });
  assert.equal((await log).log, null);
  assert.equal(p.openRequests, 0);
});

test('ask: a wrong answer fails the question, an answer nobody waits for is dropped', async () => {
  const { pool: p, launcher } = await running();
  const [h0, h1] = launcher.launched;
  const wrongKind = p.ask(0, { type: 'count-devices', filter: {} });
  h0.emit({ type: 'device-rows', reqId: h0.lastRequest().reqId, rows: [] });
  await assert.rejects(wrongKind, (err: Error) => err instanceof HostRequestError && err.message === 'host 0 answered count-devices with device-rows');

  const wrongHost = p.ask(0, { type: 'storm', storm: { kind: 'blip', ms: 10 } });
  h1.emit({ type: 'storm-done', reqId: h0.lastRequest().reqId, affected: 3 });
  await assert.rejects(wrongHost, /host 1 answered request \d+, which was for host 0/);

  h0.emit({ type: 'storm-done', reqId: 999, affected: 1 });
  assert.equal(p.openRequests, 0);
  await assert.rejects(p.ask(7, { type: 'device-log', group: 0, index: 0 }), /no host 7/);
});

test('ask: a silent host fails the question after the answer timeout, and the error names it', async () => {
  assert.equal(HOST_ANSWER_TIMEOUT_MS, 5000, 'the default a host gets to answer');
  const { pool: p, launcher } = await running(new FakeLauncher(), { answerMs: 30 });
  const asked = p.ask(1, { type: 'list-devices', group: 0, filter: {}, skip: 0, take: 10 });
  await assert.rejects(asked, (err: Error) => err instanceof HostTimeoutError && err.timeout === 'answerMs' && err.ms === 30 && err.message === 'host 1 did not answer list-devices within 0.03 s');
  assert.equal(p.openRequests, 0);
  // The late answer finds no one waiting.
  launcher.launched[1].emit({ type: 'device-rows', reqId: launcher.launched[1].lastRequest().reqId, rows: [] });
  assert.equal(p.openRequests, 0);
});

test('loss: reported with how and why, its open questions fail at once, the last one lost says so', async () => {
  const { pool: p, launcher, lost } = await running();
  const [h0, h1] = launcher.launched;
  const pending = p.ask(1, { type: 'device-log', group: 0, index: 3 });
  h1.emit({ type: 'fatal', hostId: 1, message: 'out of memory\n  at somewhere' });
  h1.exit(null, 'SIGABRT');
  assert.deepEqual(lost, [{ hostId: 1, reason: 'killed by SIGABRT: out of memory', everyHostLost: false }]);
  assert.deepEqual([p.slots[1].state, p.slots[1].lostReason], ['lost', 'killed by SIGABRT: out of memory']);
  await assert.rejects(pending, (err: Error) => err instanceof HostRequestError && /host 1 gave no answer to device-log: it was lost \(killed by SIGABRT/.test(err.message));
  await assert.rejects(p.ask(1, { type: 'device-log', group: 0, index: 3 }), /host 1 is lost/);
  p.broadcast({ type: 'set-rate', connectRate: 5 });
  assert.deepEqual(h0.sent.at(-1), { type: 'set-rate', connectRate: 5 });
  assert.notDeepEqual(h1.sent.at(-1), { type: 'set-rate', connectRate: 5 }, 'a lost host is not told');
  h0.exit(2, null);
  assert.deepEqual(lost[1], { hostId: 0, reason: 'exited with code 2', everyHostLost: true });
});

test('kill with a restart: the loss does not end the run, and a new host takes the shard and starts', async () => {
  const { pool: p, launcher, lost } = await running(new FakeLauncher(), {});
  await assert.rejects(p.kill(5, true), /no host 5 \(hosts: 0-1\)/);
  launcher.launched[0].exit(1, null);
  await assert.rejects(p.kill(0, true), /host 0 is lost/);
  await p.kill(1, true);
  assert.deepEqual(launcher.launched[1].kills, ['SIGKILL']);
  assert.deepEqual(lost.at(-1), { hostId: 1, reason: 'killed by SIGKILL', everyHostLost: false });
  await p.relaunch(1);
  const fresh = launcher.launched[2];
  assert.equal(fresh.name, 'host-1');
  assert.deepEqual(fresh.sent.map((c) => c.type), ['init', 'start']);
  assert.deepEqual(fresh.sent[0].type === 'init' && fresh.sent[0].init.shards, shards[1]);
  assert.deepEqual([p.slots[1].state, p.slots[1].pid], ['running', 1002]);
});

test('teardown: live hosts are told to stop, one that does not is killed after the grace time, open questions fail', async () => {
  const { pool: p, launcher } = await running(new FakeLauncher((n) => ({ stops: n !== 1 })), { stopGraceMs: 30 });
  const [h0, h1] = launcher.launched;
  const pending = p.ask(0, { type: 'storm', storm: { kind: 'drop', percent: 10, mode: 'close' } });
  // Host 0 stops without answering: its question fails when the run ends, not at its timeout.
  await p.teardown();
  assert.deepEqual(h0.sent.at(-1), { type: 'stop', reason: 'run ended' });
  assert.deepEqual(h1.sent.at(-1), { type: 'stop', reason: 'run ended' });
  assert.deepEqual([h0.kills, h1.kills], [[], ['SIGKILL']]);
  assert.deepEqual(p.slots.map((s) => s.state), ['stopped', 'stopped']);
  await assert.rejects(pending, (err: Error) => err instanceof HostRequestError && err.message === 'host 0 gave no answer to storm: the run ended');
  assert.equal(p.openRequests, 0);
});
