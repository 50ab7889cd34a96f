// The read side of the FleetApi over a synthetic run (ui-stream.ts), for the UI benchmark: it is
// served through the real bridge (src/cli/bridge), so the page takes the same code path as with
// `fleetsim serve`. Pushes four snapshots a second, a timeline point and the notable events
// every second; answers status, device pages, device logs and one recorded hour-long run.
// Anything that would change a fleet is refused (nothing runs).
import type { FleetApi, FleetUpdate, PresetInfo, RunStatus, StartResult, StormResult, CertsInitResult, DeviceQuery, DevicePage } from '../src/contract/fleet-api.ts';
import type { DeviceLog } from '../src/contract/device-log.ts';
import { PRESET_DESCRIPTIONS, PRESETS, type PresetName } from '../src/contract/presets.ts';
import type { AppSettings, ExportResult, ImportResult, ReportResult, RunDetail, RunListEntry, SettingsResult } from '../src/contract/runs.ts';
import type { CompareResult } from '../src/contract/run-comparison.ts';
import type { PreflightResult } from '../src/contract/preflight.ts';
import type { AttachResult } from '../src/contract/attach.ts';
import type { FleetEvent } from '../src/contract/snapshot.ts';
import { SyntheticRun } from './ui-stream.ts';

const READ_ONLY = 'the UI benchmark replays a recorded stream: nothing can be started or changed';
export const RECORDED_RUN_ID = '2026-01-01T00-00-00-ui-bench-250k';
const RECORDED_SECONDS = 3600;

export interface ReplayCounts {
  snapshots: number;
  points: number;
  events: number;
}

export class ReplayApi implements FleetApi {
  readonly counts: ReplayCounts = { snapshots: 0, points: 0, events: 0 };
  private readonly listeners = new Set<(u: FleetUpdate) => void>();
  private readonly recent: FleetEvent[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopTimer: ReturnType<typeof setTimeout> | null = null;
  private tick = 0;
  /** Run second of the last timeline point pushed. */
  private lastPointT: number;
  private readonly detail: RunDetail;

  constructor(
    readonly run: SyntheticRun,
    private readonly now: () => number = Date.now,
  ) {
    this.lastPointT = Math.floor(run.t(now())) - 1;
    const recorded = run.summary(RECORDED_SECONDS);
    this.detail = {
      entry: {
        id: RECORDED_RUN_ID,
        name: run.scenario.name,
        dir: `/replay/${RECORDED_RUN_ID}`,
        status: 'complete',
        startedAt: recorded.startedAt,
        endedAt: recorded.endedAt,
        devices: run.shape.devices,
        peakOnline: recorded.peakOnline,
        bytes: 1_900_000_000,
      },
      scenario: run.scenario,
      source: run.source,
      summary: recorded,
      timeline: run.points(0, RECORDED_SECONDS),
      skippedRows: 0,
      files: ['run.json', 'scenario.json', 'summary.json', 'timeline.csv', 'devices.csv', 'events-host-0.ndjson.gz'].map((name, i) => ({ name, bytes: 10_000 * 10 ** i })),
    };
  }

  /**
   * Pushes the stream for `ms` (4 ticks a second: a snapshot each, a timeline point and the
   * events of every new second), then stops by itself.
   */
  startStream(ms: number): void {
    this.stopStream();
    this.timer = setInterval(() => this.push(), 250);
    this.stopTimer = setTimeout(() => this.stopStream(), ms);
  }

  stopStream(): void {
    if (this.timer !== null) clearInterval(this.timer);
    if (this.stopTimer !== null) clearTimeout(this.stopTimer);
    this.timer = this.stopTimer = null;
  }

  private emit(u: FleetUpdate): void {
    for (const l of this.listeners) l(u);
  }

  private push(): void {
    const at = this.now();
    this.tick++;
    this.counts.snapshots++;
    this.emit({ type: 'snapshot', snapshot: this.run.snapshot(at) });
    const t = Math.floor(this.run.t(at));
    while (this.lastPointT < t - 1) {
      const second = ++this.lastPointT;
      this.counts.points++;
      this.emit({ type: 'timeline', point: this.run.point(second) });
      for (const event of this.run.events(second)) {
        this.counts.events++;
        this.recent.push(event);
        if (this.recent.length > 200) this.recent.shift();
        this.emit({ type: 'event', event });
      }
    }
  }

  onUpdate(listener: (u: FleetUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async status(): Promise<RunStatus> {
    const at = this.now();
    const t = Math.floor(this.run.t(at));
    this.lastPointT = Math.max(this.lastPointT, t - 1);
    return {
      state: 'running',
      scenario: this.run.scenario,
      snapshot: this.run.snapshot(at),
      timeline: this.run.points(0, this.lastPointT + 1),
      summary: null,
      events: this.recent.length ? [...this.recent] : Array.from({ length: 120 }, (_, i) => t - 120 + i).flatMap((second) => this.run.events(second)),
      recordDir: null,
      metricsUrl: null,
      attach: null,
      capacity: null,
    };
  }

  async listPresets(): Promise<PresetInfo[]> {
    return (Object.keys(PRESETS) as PresetName[]).map((name) => ({ name, description: PRESET_DESCRIPTIONS[name], scenario: PRESETS[name] }));
  }
  async devices(query: DeviceQuery): Promise<DevicePage> {
    return this.run.devicePage(query, this.now());
  }
  async deviceLog(deviceId: string): Promise<DeviceLog | null> {
    return this.run.deviceLog(deviceId, this.now());
  }
  async settings(): Promise<AppSettings> {
    return { runsDir: '/replay', record: false, metricsPort: null, eventLogMaxMB: 64 };
  }
  async listRuns(): Promise<RunListEntry[]> {
    return [this.detail.entry];
  }
  async openRun(id: string): Promise<RunDetail | null> {
    return id === RECORDED_RUN_ID ? this.detail : null;
  }
  async runDevices(id: string, query: DeviceQuery): Promise<DevicePage> {
    return id === RECORDED_RUN_ID ? this.run.devicePage(query, this.run.startedAt + RECORDED_SECONDS * 1000, true) : { total: 0, offset: query.offset, rows: [] };
  }
  async runDeviceLog(id: string, deviceId: string): Promise<DeviceLog | null> {
    return id === RECORDED_RUN_ID ? this.run.deviceLog(deviceId, this.run.startedAt + RECORDED_SECONDS * 1000, true) : null;
  }

  // The write side: refused, nothing runs here.
  async start(): Promise<StartResult> {
    return { ok: false, problems: [READ_ONLY] };
  }
  async startCapacity(): Promise<StartResult> {
    return { ok: false, problems: [READ_ONLY] };
  }
  async stop(): Promise<null> {
    return null;
  }
  async setTimers(): Promise<StartResult> {
    return { ok: false, problems: [READ_ONLY] };
  }
  async setRamp(): Promise<void> {
    throw new Error(READ_ONLY);
  }
  async storm(): Promise<StormResult> {
    return { ok: false, problems: [READ_ONLY] };
  }
  async certsInit(): Promise<CertsInitResult> {
    return { ok: false, problems: [READ_ONLY] };
  }
  async updateSettings(): Promise<SettingsResult> {
    return { ok: false, problems: [READ_ONLY] };
  }
  async exportRun(): Promise<ExportResult> {
    return { ok: false, problems: [READ_ONLY] };
  }
  async importRun(): Promise<ImportResult> {
    return { ok: false, problems: [READ_ONLY] };
  }
  async reportRun(): Promise<ReportResult> {
    return { ok: false, problems: [READ_ONLY] };
  }
  async compareRuns(): Promise<CompareResult> {
    throw new Error(READ_ONLY);
  }
  async preflight(): Promise<PreflightResult> {
    throw new Error(READ_ONLY);
  }
  async attach(): Promise<AttachResult> {
    return { ok: false, problems: [READ_ONLY] };
  }
  async detach(): Promise<boolean> {
    return false;
  }
}
