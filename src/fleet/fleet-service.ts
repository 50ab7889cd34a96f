// FleetService: the FleetApi behind the desktop app's IPC and the browser-mode bridge.
// One run at a time; after a run ends its snapshot, timeline and summary stay available.
import { validateAttachRequest, type AttachResult } from '../contract/attach.ts';
import type { DeviceLog } from '../contract/device-log.ts';
import type { CertsInitRequest, CertsInitResult, DevicePage, DeviceQuery, FleetApi, FleetUpdate, PresetInfo, RunStatus, StartResult, StormResult } from '../contract/fleet-api.ts';
import { stormActionSchema } from '../contract/storm.ts';
import { PRESET_DESCRIPTIONS, PRESETS, type PresetName } from '../contract/presets.ts';
import type { Scenario } from '../contract/scenario.ts';
import type { FleetEvent, RunSummary } from '../contract/snapshot.ts';
import { describeIssue, validateScenario } from '../contract/validate.ts';
import { defaultPkiDir, initTestPki, PkiError, resolvePkiDir } from '../pki/test-pki.ts';
import type { AppSettings, ExportResult, ImportResult, ReportResult, RunDetail, RunListEntry, SettingsResult } from '../contract/runs.ts';
import type { CompareResult } from '../contract/run-comparison.ts';
import { SettingsStore } from '../runs/settings-store.ts';
import { redactedProblems, withoutRedactionNote } from '../runs/redact.ts';
import type { PreflightResult } from '../contract/preflight.ts';
import { readMachineFacts } from './machine-facts.ts';
import { preflight } from './preflight.ts';
import type { FleetController } from './controller.ts';
import type { Launcher } from './launcher.ts';
import { PrometheusAttach } from './attach/prometheus-attach.ts';
import { serveMetrics } from './metrics-exporter.ts';
import { createRun } from './recorded-run.ts';
import { planCapacityRun, type CapacityRunPlan } from './capacity/capacity-run.ts';
import { CapacitySession } from './capacity/capacity-session.ts';
import { resolveCapacityOptions } from '../contract/capacity-request.ts';
import type { CapacityOptions } from '../contract/capacity-options.ts';
import { RunLibrary } from './run-library.ts';
import type { RunRecorder } from './run-recorder.ts';

const EVENTS_KEPT = 200;

export interface FleetServiceOptions {
  launcher?: Launcher;
  /** Where settings are kept (default $FLEETSIM_HOME/settings.json). */
  settings?: SettingsStore;
}

type MetricsServer = Awaited<ReturnType<typeof serveMetrics>>;

export class FleetService implements FleetApi {
  private controller: FleetController | null = null;
  private readonly listeners = new Set<(u: FleetUpdate) => void>();
  private events: FleetEvent[] = [];
  private summary: RunSummary | null = null;
  private certsQueue: Promise<unknown> = Promise.resolve();
  private readonly settingsStore: SettingsStore;
  private readonly runs: RunLibrary;
  private recorder: RunRecorder | null = null;
  private metrics: { port: number; server: Promise<MetricsServer> } | null = null;
  /** The port /metrics actually listens on (the setting may be 0: any free port). */
  private metricsPortNow: number | null = null;
  /** The live view of a distributed run, fed from Prometheus; exclusive with a local run. */
  private attached: PrometheusAttach | null = null;
  /** The capacity search of the current (or last) run; null for a plain run. */
  private capacity: CapacitySession | null = null;

  constructor(private readonly options: FleetServiceOptions = {}) {
    this.settingsStore = options.settings ?? new SettingsStore();
    this.runs = new RunLibrary(() => this.settingsStore.get().runsDir);
  }

  async listPresets(): Promise<PresetInfo[]> {
    return (Object.keys(PRESETS) as PresetName[]).map((name) => ({ name, description: PRESET_DESCRIPTIONS[name], scenario: structuredClone(PRESETS[name]) }));
  }

  async start(input: unknown): Promise<StartResult> {
    const checked = this.checkStart(input);
    return checked.ok ? this.launch(checked.scenario, input, null) : checked;
  }

  async startCapacity(input: unknown, capacity?: unknown): Promise<StartResult> {
    const checked = this.checkStart(input);
    if (!checked.ok) return checked;
    const options = resolveCapacityOptions(checked.scenario.capacity, capacity);
    if (!options.ok) return options;
    let plan: CapacityRunPlan;
    try {
      plan = planCapacityRun(checked.scenario, options.options);
    } catch (err) {
      return { ok: false, problems: [`capacity.step: ${(err as Error).message}`] };
    }
    return this.launch(checked.scenario, input, { plan, options: options.options });
  }

  /** Whether a run may start now, and the scenario checked field by field. */
  private checkStart(input: unknown): { ok: true; scenario: Scenario } | { ok: false; problems: string[] } {
    if (this.running) return { ok: false, problems: ['a run is already in progress: stop it first'] };
    if (this.attached) return { ok: false, problems: [`attached to distributed run ${this.attached.status().runId}: detach first`] };
    // A recorded scenario run again: its secrets were replaced when recorded and must be given again.
    const redacted = redactedProblems(input);
    if (redacted.length > 0) return { ok: false, problems: redacted };
    const v = validateScenario(withoutRedactionNote(input));
    return v.ok ? { ok: true, scenario: v.scenario } : v;
  }

  private async launch(scenario: Scenario, input: unknown, capacity: { plan: CapacityRunPlan; options: CapacityOptions } | null): Promise<StartResult> {
    const settings = this.settingsStore.get();
    let metricsProblem: string | null = null;
    if (settings.metricsPort !== null) metricsProblem = await this.serveMetrics(settings.metricsPort);
    if (metricsProblem) return { ok: false, problems: [metricsProblem] };
    const eventLogMaxBytes = settings.eventLogMaxMB * 1048576;
    const record = settings.record ? { runsDir: settings.runsDir, eventLogMaxBytes, source: typeof input === 'object' && input !== null ? input : undefined } : null;
    // A search admits only its first step's devices at the start.
    const { controller, recorder } = createRun(scenario, { launcher: this.options.launcher, record, admitLimit: capacity ? (capacity.plan.steps[0] ?? 0) : undefined });
    this.controller = controller;
    this.recorder = recorder;
    this.events = [];
    this.summary = null;
    const search = capacity ? new CapacitySession(controller, capacity.plan, capacity.options, (p) => this.push({ type: 'capacity', capacity: p })) : null;
    this.capacity = search;
    controller.on('snapshot', (snapshot) => this.push({ type: 'snapshot', snapshot }));
    controller.on('timeline', (point) => this.push({ type: 'timeline', point }));
    controller.on('event', (event) => {
      this.events.push(event);
      if (this.events.length > EVENTS_KEPT) this.events.shift();
      this.push({ type: 'event', event });
    });
    controller.on('ended', (summary) => {
      this.summary = summary;
      // The search's verdict first, so a UI has it when the run shows as ended.
      if (summary.capacity) search?.finish(summary.capacity);
      this.push({ type: 'ended', summary });
    });
    this.push({ type: 'started', scenario });
    if (search) this.push({ type: 'capacity', capacity: search.progress() });
    try {
      await controller.start();
    } catch (err) {
      recorder?.abandon(`could not start: ${(err as Error).message}`);
      return { ok: false, problems: [`could not start: ${(err as Error).message}`] };
    }
    search?.run().catch((err: unknown) => {
      console.error(`fleetsim: capacity search: ${(err as Error).message}`);
      void controller.stop('error');
    });
    return { ok: true };
  }

  async stop(): Promise<RunSummary | null> {
    if (!this.controller) return null;
    // A search stops itself: no more steps, then the fleet closes in order.
    if (this.capacity && this.running) await this.capacity.stop();
    return this.controller.stop('stopped');
  }

  async status(): Promise<RunStatus> {
    const a = this.attached;
    if (a) {
      return { state: 'running', scenario: null, snapshot: a.snapshot(), timeline: [...a.timeline()], summary: null, events: [], recordDir: null, metricsUrl: null, attach: a.status() };
    }
    const c = this.controller;
    return {
      state: c ? c.state : 'idle',
      scenario: c?.scenario ?? null,
      snapshot: c ? c.snapshot() : null,
      timeline: c ? [...c.timeline()] : [],
      summary: this.summary,
      events: [...this.events],
      recordDir: this.recorder?.dir ?? null,
      metricsUrl: this.metricsUrl,
      attach: null,
      capacity: this.capacity?.progress() ?? null,
    };
  }

  async attach(request: unknown): Promise<AttachResult> {
    const v = validateAttachRequest(request);
    if (!v.ok) return v;
    if (this.running) return { ok: false, problems: ['a local run is in progress: stop it before attaching to a distributed run'] };
    if (this.attached) {
      const s = this.attached.status();
      return { ok: false, problems: [`already attached to run ${s.runId} via ${s.prometheusUrl}: detach first`] };
    }
    const source = new PrometheusAttach(v.request);
    this.attached = source;
    source.on('snapshot', (snapshot) => this.push({ type: 'snapshot', snapshot }));
    source.on('timeline', (point) => this.push({ type: 'timeline', point }));
    source.on('status', (attach) => this.push({ type: 'attach', attach }));
    this.push({ type: 'attach', attach: source.status() });
    source.start();
    return { ok: true };
  }

  async detach(): Promise<boolean> {
    const source = this.attached;
    if (!source) return false;
    this.attached = null;
    await source.stop();
    this.push({ type: 'attach', attach: null });
    return true;
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
    if (!c || c.state !== 'running') return { ok: false, problems: ['no run in progress'] };
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
    const state = this.controller?.state;
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

  async settings(): Promise<AppSettings> {
    return this.settingsStore.get();
  }

  async updateSettings(patch: unknown): Promise<SettingsResult> {
    const result = this.settingsStore.update(patch);
    // A new port takes effect at the next run; off is off at once.
    if (result.ok && this.metrics && this.metrics.port !== result.settings.metricsPort && !this.running) await this.closeMetrics();
    return result;
  }

  listRuns(): Promise<RunListEntry[]> {
    return this.runs.list();
  }

  openRun(id: string): Promise<RunDetail | null> {
    return this.runs.open(id);
  }

  runDevices(id: string, query: DeviceQuery): Promise<DevicePage> {
    return this.runs.devices(id, query);
  }

  runDeviceLog(id: string, deviceId: string): Promise<DeviceLog | null> {
    return this.runs.deviceLog(id, deviceId);
  }

  /** Browser mode and scripts: to $FLEETSIM_HOME/exports/<id>.zip, or `file` when the caller chose one (the desktop app's save dialog). */
  exportRun(id: string, file?: string): Promise<ExportResult> {
    return this.runs.export(id, file);
  }

  importRun(file?: string): Promise<ImportResult> {
    return this.runs.import(file);
  }

  reportRun(id: string): Promise<ReportResult> {
    return this.runs.report(id);
  }

  compareRuns(ids: string[]): Promise<CompareResult> {
    return this.runs.compare(ids);
  }

  async preflight(input: unknown): Promise<PreflightResult> {
    const v = validateScenario(input);
    return v.ok ? { ok: true, report: preflight(v.scenario, readMachineFacts()) } : { ok: false, problems: v.problems };
  }

  /** The run being recorded has written its last file. */
  get recordFinished(): Promise<void> {
    return this.recorder?.finished ?? Promise.resolve();
  }

  private get running(): boolean {
    const state = this.controller?.state;
    return state === 'starting' || state === 'running' || state === 'stopping';
  }

  private get metricsUrl(): string | null {
    return this.metricsPortNow === null ? null : `http://127.0.0.1:${this.metricsPortNow}/metrics`;
  }

  /** Serves /metrics for whichever run is current; null when serving, else the problem. */
  private async serveMetrics(port: number): Promise<string | null> {
    if (this.metrics && this.metrics.port === port) return null;
    await this.closeMetrics();
    const server = serveMetrics(port, () => this.controller?.snapshot() ?? null, (bounds) => this.controller?.latencyBuckets(bounds) ?? null);
    this.metrics = { port, server };
    try {
      this.metricsPortNow = (await server).port;
      return null;
    } catch (err) {
      this.metrics = null;
      return `metricsPort: ${(err as Error).message.replace(/^--metrics-port: /, '')}`;
    }
  }

  private async closeMetrics(): Promise<void> {
    const m = this.metrics;
    this.metrics = null;
    this.metricsPortNow = null;
    await m?.server.then((s) => s.close()).catch(() => {});
  }

  onUpdate(listener: (u: FleetUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops any run (app quit, server shutdown). */
  async shutdown(): Promise<void> {
    await this.detach();
    await this.stop();
    await this.recordFinished;
    await this.closeMetrics();
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
