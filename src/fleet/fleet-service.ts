// FleetService: the FleetApi behind the desktop app's IPC and the browser-mode bridge.
// One run at a time; after a run ends its snapshot, timeline and summary stay available.
import type { DeviceLog } from '../contract/device-log.ts';
import type { DevicePage, DeviceQuery, FleetApi, FleetUpdate, PresetInfo, RunStatus, StartResult, StormResult } from '../contract/fleet-api.ts';
import { stormActionSchema } from '../contract/storm.ts';
import { PRESET_DESCRIPTIONS, PRESETS, type PresetName } from '../contract/presets.ts';
import type { Scenario } from '../contract/scenario.ts';
import type { FleetEvent, RunSummary } from '../contract/snapshot.ts';
import { describeIssue, validateScenario } from '../contract/validate.ts';
import { FleetController } from './controller.ts';
import type { Launcher } from './launcher.ts';

const EVENTS_KEPT = 200;

export interface FleetServiceOptions {
  launcher?: Launcher;
}

export class FleetService implements FleetApi {
  private controller: FleetController | null = null;
  private readonly listeners = new Set<(u: FleetUpdate) => void>();
  private events: FleetEvent[] = [];
  private summary: RunSummary | null = null;

  constructor(private readonly options: FleetServiceOptions = {}) {}

  async listPresets(): Promise<PresetInfo[]> {
    return (Object.keys(PRESETS) as PresetName[]).map((name) => ({ name, description: PRESET_DESCRIPTIONS[name], scenario: structuredClone(PRESETS[name]) }));
  }

  async start(input: unknown): Promise<StartResult> {
    const state = this.controller?.snapshot().state;
    if (state === 'starting' || state === 'running' || state === 'stopping') return { ok: false, problems: ['a run is already in progress: stop it first'] };
    const v = validateScenario(input);
    if (!v.ok) return { ok: false, problems: v.problems };
    const controller = new FleetController(v.scenario, { launcher: this.options.launcher });
    this.controller = controller;
    this.events = [];
    this.summary = null;
    controller.on('snapshot', (snapshot) => this.push({ type: 'snapshot', snapshot }));
    controller.on('timeline', (point) => this.push({ type: 'timeline', point }));
    controller.on('event', (event) => {
      this.events.push(event);
      if (this.events.length > EVENTS_KEPT) this.events.shift();
      this.push({ type: 'event', event });
    });
    controller.on('ended', (summary) => {
      this.summary = summary;
      this.push({ type: 'ended', summary });
    });
    this.push({ type: 'started', scenario: v.scenario });
    try {
      await controller.start();
      return { ok: true };
    } catch (err) {
      return { ok: false, problems: [`could not start: ${(err as Error).message}`] };
    }
  }

  async stop(): Promise<RunSummary | null> {
    return this.controller ? this.controller.stop('stopped') : null;
  }

  async status(): Promise<RunStatus> {
    const c = this.controller;
    return {
      state: c ? c.snapshot().state : 'idle',
      scenario: c?.scenario ?? null,
      snapshot: c ? c.snapshot() : null,
      timeline: c ? [...c.timeline()] : [],
      summary: this.summary,
      events: [...this.events],
    };
  }

  async setTimers(group: string, timers: unknown): Promise<StartResult> {
    const c = this.controller;
    if (!c) return { ok: false, problems: ['no run in progress'] };
    const g = c.scenario.groups.find((x) => x.name === group);
    if (!g) return { ok: false, problems: [`no group named "${group}"`] };
    // Validate the timers in the context of their group, so defaults and limits are the same as in a file.
    const v = validateScenario({ target: 'external', groups: [{ protocol: g.protocol, url: 'ws://127.0.0.1:1', count: 1, timers }] });
    if (!v.ok) return { ok: false, problems: v.problems.map((p) => p.replace(/^groups\[0\]\./, `${group}.`)) };
    c.setTimers(group, v.scenario.groups[0].timers);
    return { ok: true };
  }

  async setRamp(connectsPerSec: number): Promise<void> {
    if (!Number.isFinite(connectsPerSec) || connectsPerSec < 0) throw new Error('ramp: expected connects per second, 0 or more');
    this.controller?.setRamp(connectsPerSec);
  }

  async deviceLog(deviceId: string): Promise<DeviceLog | null> {
    return this.controller ? this.controller.deviceLog(deviceId) : null;
  }

  async devices(query: DeviceQuery): Promise<DevicePage> {
    return this.controller ? this.controller.devices(query) : { total: 0, offset: query.offset, rows: [] };
  }

  async storm(action: unknown): Promise<StormResult> {
    const c = this.controller;
    if (!c || c.snapshot().state !== 'running') return { ok: false, problems: ['no run in progress'] };
    const parsed = stormActionSchema.safeParse(action);
    if (!parsed.success) return { ok: false, problems: parsed.error.issues.map(describeIssue) };
    const a = parsed.data;
    if ('group' in a && a.group !== undefined && !c.scenario.groups.some((g) => g.name === a.group)) {
      return { ok: false, problems: [`group: no group named "${a.group}"`] };
    }
    const storm = await c.storm(a);
    return storm.error ? { ok: false, problems: [storm.error] } : { ok: true, storm };
  }

  onUpdate(listener: (u: FleetUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops any run (app quit, server shutdown). */
  async shutdown(): Promise<void> {
    await this.controller?.stop('stopped');
  }

  get scenario(): Scenario | null {
    return this.controller?.scenario ?? null;
  }

  private push(update: FleetUpdate): void {
    for (const l of this.listeners) l(update);
  }
}
