// FleetService: the FleetApi behind the desktop app's IPC and the browser-mode bridge.
// One run at a time; after a run ends its snapshot, timeline and summary stay available.
import type { DeviceLog } from '../contract/device-log.ts';
import type { CertsInitRequest, CertsInitResult, DevicePage, DeviceQuery, FleetApi, FleetUpdate, PresetInfo, RunStatus, StartResult, StormResult } from '../contract/fleet-api.ts';
import { stormActionSchema } from '../contract/storm.ts';
import { PRESET_DESCRIPTIONS, PRESETS, type PresetName } from '../contract/presets.ts';
import type { Scenario } from '../contract/scenario.ts';
import type { FleetEvent, RunSummary } from '../contract/snapshot.ts';
import { describeIssue, validateScenario } from '../contract/validate.ts';
import { defaultPkiDir, initTestPki, PkiError, resolvePkiDir } from '../pki/test-pki.ts';
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
  private certsQueue: Promise<unknown> = Promise.resolve();

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

  async certsInit(request?: CertsInitRequest): Promise<CertsInitResult> {
    const problems = certsRequestProblems(request);
    if (problems.length > 0) return { ok: false, problems };
    const { dir = defaultPkiDir(), serverNames, force } = request ?? {};
    const state = this.controller?.snapshot().state;
    // A run in progress trusts the current CA; replacing it would fail every reconnect.
    if (force && (state === 'starting' || state === 'running' || state === 'stopping')) {
      return { ok: false, problems: ['force: not while a run is in progress (it replaces the CA the run uses)'] };
    }
    // One at a time: two inits of the same directory would both write it.
    const run = this.certsQueue.then(() => initTestPki(dir, { serverNames, force }));
    this.certsQueue = run.catch(() => undefined);
    try {
      const pki = await run;
      return { ok: true, dir: pki.dir, created: pki.created, createdAt: pki.manifest.created, serverNames: pki.manifest.serverNames, caFile: pki.files.ca };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (err instanceof PkiError) return { ok: false, problems: [`dir: ${e.message}`] };
      // fs errors (EACCES, ENOTDIR …) and an unreadable pki.json: all about the directory.
      const why = typeof e.code === 'string' ? `${e.code}${e.path ? ` (${e.path})` : ''}` : e.message;
      return { ok: false, problems: [`dir: cannot create a test PKI in ${resolvePkiDir(dir)}: ${why}`] };
    }
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

const CERTS_FIELDS = new Set(['dir', 'serverNames', 'force']);

/** certsInit's input comes from a page or IPC as is: one line per bad field, as for scenarios. */
function certsRequestProblems(request: unknown): string[] {
  if (request === undefined || request === null) return [];
  if (typeof request !== 'object' || Array.isArray(request)) return ['request: expected an object like { dir, serverNames, force }'];
  const r = request as Record<string, unknown>;
  const problems = Object.keys(r).filter((k) => !CERTS_FIELDS.has(k)).map((k) => `${k}: unknown field (expected dir, serverNames, force)`);
  if (r.dir !== undefined && (typeof r.dir !== 'string' || r.dir.trim() === '')) problems.push('dir: expected a directory path (a non-empty string)');
  if (r.serverNames !== undefined) {
    if (!Array.isArray(r.serverNames)) problems.push('serverNames: expected a list of host names or IP addresses');
    else r.serverNames.forEach((n, i) => {
      if (typeof n !== 'string' || n.trim() === '' || /\s/.test(n)) problems.push(`serverNames[${i}]: expected a host name or IP address, got ${JSON.stringify(n)}`);
    });
  }
  if (r.force !== undefined && typeof r.force !== 'boolean') problems.push('force: expected true or false');
  return problems;
}
