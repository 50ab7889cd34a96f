// One simulated device: its state machine (idle → connecting → online → backoff → connecting …),
// its three timers on the host's timing wheel, and its reconnect policy. Protocol work is
// delegated to a Session from the group's adapter.
import type { DeviceLog, DeviceSummary } from '../contract/device-log.ts';
import type { DeviceRow } from '../contract/fleet-api.ts';
import type { DeviceState, LatencyKind } from '../contract/metrics.ts';
import type { DeviceGroup } from '../contract/scenario.ts';
import type { DeviceLink, MessageKind, Session } from './adapters/adapter.ts';
import { reconnectDelay } from './backoff.ts';
import { reasonOf } from './disconnect-reason.ts';
import type { Waiter } from './connect-gate.ts';
import type { GroupRuntime } from './group-runtime.ts';
import { EventRing } from './device-log-ring.ts';
import { DeviceTimer, firstPhase, publishBurst, TimerKind, type TimerOwner } from './device-timers.ts';
import { render, roomOf } from '../shared/templates.ts';
import { deviceUrl } from './device-url.ts';
import { DeviceActivity } from './device-activity.ts';

export type DropMode = 'close' | 'destroy' | 'half-open';

export class Device extends DeviceActivity implements DeviceLink, Waiter, TimerOwner {
  readonly id: string;
  readonly localAddress: string | undefined;
  state: DeviceState = 'idle';
  private session: Session | null = null;
  private stopRequested = false;
  private attemptStartedAt = 0;
  private transportOpenAt = 0;
  /** Consecutive failed attempts/drops since the device was last online. */
  private retry = 0;
  private attempts = 0;
  /** Made on first use: most devices never back off or stall. */
  private readonly timers: (DeviceTimer | undefined)[] = [];
  private ring: EventRing | null = null;
  /** Set while a storm tears the connection down, so the drop is counted under the storm. */
  private stormReason: string | null = null;
  /** No bytes in or out (half-open or a network blip): application sends are held back. */
  private stalled = false;
  /** The TLS session to resume on the next connect (only kept with tls.sessionResumption). */
  tlsSession: Buffer | undefined = undefined;

  constructor(
    private readonly rt: GroupRuntime,
    readonly index: number,
  ) {
    super();
    this.id = render(rt.group.clientId, { index, group: rt.group.name });
    const sources = rt.group.sourceAddresses;
    this.localAddress = sources?.length ? sources[index % sources.length] : undefined;
    rt.metrics.transition(rt.group.name, null, 'idle');
  }

  get group(): DeviceGroup {
    return this.rt.group;
  }

  /** Its room (WebSocket rooms: floor(index / roomSize)); made when asked, not kept per device. */
  get room(): string {
    return roomOf(this.index, this.rt.group.ws.roomSize);
  }

  private timer(kind: TimerKind): DeviceTimer {
    return (this.timers[kind] ??= new DeviceTimer(this, kind));
  }

  get url(): string {
    return deviceUrl(this.rt.group, this.index);
  }

  /** Queue the first connect behind the host's connect-rate gate. */
  start(): void {
    if (this.state === 'idle' && !this.stopRequested) this.rt.gate.enqueue(this);
  }

  get firstConnect(): boolean {
    return this.attempts === 0 && this.state === 'idle';
  }

  admit(): void {
    if (this.stopRequested || (this.state !== 'idle' && this.state !== 'backoff')) return;
    this.setState('connecting');
    this.rt.metrics.counters.connectAttempts++;
    if (this.attempts++ > 0) this.rt.metrics.counters.reconnects++;
    const preparing = this.rt.adapter.prepare(this);
    if (!preparing) return this.open();
    this.log('connecting', 'issuing a client certificate');
    preparing.then(
      () => this.open(),
      (err: unknown) => {
        if (this.state !== 'connecting' || this.stopRequested) return;
        this.log('error', `client certificate: ${(err as Error).message}`);
        this.closed('tls:cert-issue-failed');
      },
    );
  }

  private open(): void {
    // stop() during preparation has already finished this device.
    if (this.state !== 'connecting' || this.stopRequested) return;
    this.attemptStartedAt = performance.now();
    this.transportOpenAt = 0;
    this.log('connecting', this.attempts > 1 ? `attempt ${this.attempts}` : undefined);
    try {
      this.session = this.rt.adapter.open(this);
    } catch (err) {
      this.closed(reasonOf(err));
    }
  }

  // ---- DeviceLink: called by the protocol session ----

  transportOpen(): void {
    this.transportOpenAt = performance.now();
    this.rt.metrics.latency('connect', this.transportOpenAt - this.attemptStartedAt);
    this.log('connected');
  }

  tlsHandshake(ms: number, resumed: boolean): void {
    this.rt.metrics.latency('tls', ms);
    this.rt.metrics.counters.tlsHandshakes++;
    if (resumed) this.rt.metrics.counters.tlsResumed++;
  }

  online(): void {
    if (this.state !== 'connecting') return;
    const now = performance.now();
    if (this.rt.group.protocol === 'mqtt' && this.transportOpenAt > 0) this.rt.metrics.latency('connack', now - this.transportOpenAt);
    this.lastRxAt = this.lastTxAt = now;
    this.setState('online');
    this.rt.active.add(this);
    this.connects++;
    this.retry = 0;
    this.rt.metrics.counters.connects++;
    this.log('online');
    this.scheduleTimers();
    const slow = this.rt.group.backpressure?.slowReader;
    if (slow && this.session && !this.stopRequested) {
      this.session.limitReads(slow.bytesPerSec, this.rt.wheel.now());
      this.rt.slowReaders.add(this);
    }
    if (this.stopRequested) this.session?.close();
  }

  closed(reason: string): void {
    this.session = null;
    this.rt.slowReaders.delete(this);
    this.cancelTimers();
    this.stalled = false;
    if (this.stormReason) {
      reason = this.stormReason;
      this.stormReason = null;
    }
    // A close we asked for while stopping the run is not a disconnect of the fleet.
    if (this.stopRequested) return this.finishStop();
    this.lastReason = reason;
    if (this.state === 'online') {
      this.disconnects++;
      const now = performance.now();
      this.rt.metrics.disconnect(reason, now - this.transportOpenAt, now - this.lastRxAt, now - this.lastTxAt);
      this.log('disconnected', reason);
    } else if (this.state === 'connecting') {
      this.rt.metrics.connectFailure(reason);
      this.log('connect-failed', reason);
    }
    const delay = reconnectDelay(this.rt.group.reconnect, this.retry++);
    if (delay === null) {
      if (this.rt.group.reconnect.policy !== 'none') {
        this.rt.metrics.counters.gaveUp++;
        this.log('gave-up', `after ${this.retry - 1} retries`);
      }
      this.setState('failed');
      return;
    }
    this.setState('backoff');
    this.log('backoff', `${delay} ms`);
    this.rt.wheel.schedule(this.timer(TimerKind.Backoff), delay);
  }

  received(bytes: number): void {
    this.lastRxAt = performance.now();
    this.rt.active.add(this);
    this.receivedMessages++;
    this.bytesReceived += bytes;
    const c = this.rt.metrics.counters;
    c.received++;
    c.bytesReceived += bytes;
  }

  sent(kind: MessageKind | 'ping', bytes: number): void {
    this.lastTxAt = performance.now();
    this.rt.active.add(this);
    const c = this.rt.metrics.counters;
    if (kind === 'ping') {
      c.sentPing++;
      return;
    }
    if (kind === 'heartbeat') c.sentHeartbeat++;
    else c.sentStatus++;
    this.sentMessages++;
    this.bytesSent += bytes;
    c.bytesSent += bytes;
  }

  /** An answer from the peer (PUBACK, pong, echo): bytes received, so it stamps lastRxAt. */
  latency(kind: LatencyKind, ms: number): void {
    this.lastRxAt = performance.now();
    if (kind === 'puback') this.rt.metrics.counters.pubacks++;
    else if (kind === 'ping') this.rt.metrics.counters.pongs++;
    this.rt.metrics.latency(kind, ms);
  }

  log(kind: Parameters<EventRing['push']>[0], detail?: string): void {
    this.rt.eventLog?.write(Date.now(), this.id, this.rt.group.name, this.index, kind, detail);
    if (this.rt.logRing === 0) return;
    (this.ring ??= new EventRing(this.rt.logRing)).push(kind, detail);
  }

  // ---- timers ----

  onTimer(kind: TimerKind, intendedAt: number): void {
    if (kind === TimerKind.Backoff) {
      if (this.state === 'backoff' && !this.stopRequested) this.rt.gate.enqueue(this);
      return;
    }
    if (kind === TimerKind.Unstall) {
      this.stalled = false;
      this.session?.unstall();
      return;
    }
    if (this.state !== 'online' || !this.session) return;
    const t = this.rt.group.timers;
    const spec = kind === TimerKind.Heartbeat ? t.heartbeat : kind === TimerKind.Status ? t.status : t.ping;
    if (!spec) return;
    // A silent network holds application messages back; protocol pings still go (into the
    // held buffer) so the keepalive notices, as it would on a real dead link.
    if (this.stalled && kind !== TimerKind.Ping) {
      this.rt.wheel.scheduleAt(this.timer(kind), intendedAt + spec.every);
      return;
    }
    if (kind === TimerKind.Ping) this.session.ping(intendedAt);
    else this.rt.metrics.heldBack += publishBurst(this.session, this.rt.group.backpressure, kind === TimerKind.Heartbeat ? 'heartbeat' : 'status', intendedAt);
    // Fixed cadence from the intended time: a late tick is caught up, not silently skipped.
    if (this.state === 'online') this.rt.wheel.scheduleAt(this.timer(kind), intendedAt + spec.every);
  }

  private scheduleTimers(): void {
    const t = this.rt.group.timers;
    if (t.heartbeat) this.rt.wheel.schedule(this.timer(TimerKind.Heartbeat), firstPhase(t.heartbeat.every, t.heartbeat.jitter));
    if (t.status) this.rt.wheel.schedule(this.timer(TimerKind.Status), firstPhase(t.status.every, t.status.jitter));
    if (t.ping && !this.rt.adapter.selfPinging) this.rt.wheel.schedule(this.timer(TimerKind.Ping), firstPhase(t.ping.every, t.ping.jitter));
  }

  /** Re-reads the group's timers (after a live interval change). */
  retime(): void {
    if (this.state !== 'online') return;
    this.cancelTimers();
    this.scheduleTimers();
  }

  private cancelTimers(): void {
    for (const timer of this.timers) if (timer) this.rt.wheel.cancel(timer);
  }

  // ---- stopping and faults ----

  /** A storm drops this device; false when it is not online. */
  drop(mode: DropMode): boolean {
    if (this.state !== 'online' || !this.session) return false;
    this.log('error', `storm: ${mode}`);
    if (mode === 'half-open') {
      // Nothing is closed: the link just goes silent, and only keepalive can notice.
      this.stalled = true;
      this.session.stall();
      return true;
    }
    this.stormReason = mode === 'close' ? 'storm-close' : 'storm-reset';
    if (mode === 'close') this.session.close();
    else this.session.reset();
    return true;
  }

  /** A network blip: no bytes in or out for `ms`, then the link works again. */
  blip(ms: number): boolean {
    if (this.state !== 'online' || !this.session || this.stalled) return false;
    this.stalled = true;
    this.session.stall();
    this.rt.wheel.schedule(this.timer(TimerKind.Unstall), ms);
    return true;
  }

  /** Graceful stop: close the connection if any, never reconnect. */
  stop(): void {
    if (this.stopRequested) return;
    this.stopRequested = true;
    const backoff = this.timers[TimerKind.Backoff];
    if (backoff) this.rt.wheel.cancel(backoff);
    // The run is ending, not the simulated device: read again so the close handshake (the
    // peer's close frame, its FIN) gets through instead of waiting for the forced teardown.
    if (this.rt.slowReaders.delete(this)) this.session?.limitReads(null, this.rt.wheel.now());
    if (this.session && this.state === 'online') this.session.close();
    else if (this.session) this.session.destroy();
    else this.finishStop();
  }

  // ---- backpressure ----

  /** Refills this device's read budget (it is in the host's slowReaders). */
  pumpReads(now: number): void {
    this.session?.pumpReads(now);
  }

  /** Bytes this device wrote that the kernel has not taken yet; 0 unless online. */
  writeQueueBytes(): number {
    return this.state === 'online' && this.session ? this.session.writeQueueBytes() : 0;
  }

  /** QoS 1 PUBLISHes awaiting PUBACK; 0 unless online. */
  inflight(): number {
    return this.state === 'online' && this.session ? this.session.inflight() : 0;
  }

  /** Tear the connection down at once (used when a graceful stop takes too long). */
  destroy(): void {
    this.session?.destroy();
  }

  private finishStop(): void {
    this.cancelTimers();
    this.setState('stopped');
    this.log('stopped');
    this.rt.deviceStopped();
  }

  private setState(next: DeviceState): void {
    if (next === this.state) return;
    this.rt.metrics.transition(this.rt.group.name, this.state, next);
    this.state = next;
  }

  row(): DeviceRow {
    return {
      id: this.id,
      group: this.rt.group.name,
      index: this.index,
      hostId: this.rt.hostId,
      state: this.state,
      connects: this.connects,
      disconnects: this.disconnects,
      lastReason: this.lastReason,
      sent: this.sentMessages,
      received: this.receivedMessages,
      writeQueueBytes: this.session?.writeQueueBytes() ?? 0,
      inflight: this.session?.inflight() ?? 0,
    };
  }

  summary(): DeviceSummary {
    return { ...this.row(), bytesSent: this.bytesSent, bytesReceived: this.bytesReceived };
  }

  describe(): DeviceLog {
    return { device: this.summary(), events: this.ring?.list() ?? [] };
  }
}
