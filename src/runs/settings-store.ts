// The app's settings, kept in $FLEETSIM_HOME/settings.json: where runs are recorded, whether
// they are, the Prometheus port and the event-log rotation size. Every change is checked per
// field, the way scenarios are.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { AppSettings, SettingsResult } from '../contract/runs.ts';
import { defaultRunsDir, expandHome, fleetsimHome } from '../shared/home.ts';

export const DEFAULT_SETTINGS = (): AppSettings => ({ runsDir: defaultRunsDir(), record: true, metricsPort: null, eventLogMaxMB: 64 });

const FIELDS = ['runsDir', 'record', 'metricsPort', 'eventLogMaxMB'] as const;

/** Problems with a settings patch, one line per field; the checked patch when there are none. */
export function checkSettingsPatch(patch: unknown): { problems: string[]; value: Partial<AppSettings> } {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return { problems: ['settings: expected an object like { runsDir, record, metricsPort, eventLogMaxMB }'], value: {} };
  const p = patch as Record<string, unknown>;
  const problems = Object.keys(p)
    .filter((k) => !(FIELDS as readonly string[]).includes(k))
    .map((k) => `${k}: unknown setting (expected ${FIELDS.join(', ')})`);
  const value: Partial<AppSettings> = {};
  if (p.runsDir !== undefined) {
    if (typeof p.runsDir !== 'string' || p.runsDir.trim() === '') problems.push('runsDir: expected a directory path');
    else {
      const dir = expandHome(p.runsDir.trim());
      if (!isAbsolute(dir)) problems.push('runsDir: expected an absolute path');
      else {
        try {
          mkdirSync(dir, { recursive: true });
          value.runsDir = dir;
        } catch (err) {
          problems.push(`runsDir: cannot create ${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
      }
    }
  }
  if (p.record !== undefined) {
    if (typeof p.record !== 'boolean') problems.push('record: expected true or false');
    else value.record = p.record;
  }
  if (p.metricsPort !== undefined) {
    if (p.metricsPort !== null && (typeof p.metricsPort !== 'number' || !Number.isInteger(p.metricsPort) || p.metricsPort < 0 || p.metricsPort > 65535)) {
      problems.push(`metricsPort: expected a port number 0-65535 (0: any free port) or null (off), got ${JSON.stringify(p.metricsPort)}`);
    } else value.metricsPort = p.metricsPort as number | null;
  }
  if (p.eventLogMaxMB !== undefined) {
    if (typeof p.eventLogMaxMB !== 'number' || !Number.isFinite(p.eventLogMaxMB) || p.eventLogMaxMB < 1 || p.eventLogMaxMB > 4096) problems.push('eventLogMaxMB: expected a size in MB, 1 to 4096');
    else value.eventLogMaxMB = p.eventLogMaxMB;
  }
  return { problems, value };
}

export class SettingsStore {
  private current: AppSettings;

  constructor(private readonly file = join(fleetsimHome(), 'settings.json')) {
    this.current = DEFAULT_SETTINGS();
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      // A hand-edited file with a bad field keeps the defaults for that field only.
      const fields = Object.fromEntries(FIELDS.map((k) => [k, (saved as Record<string, unknown>)?.[k]]).filter(([, v]) => v !== undefined));
      for (const [k, v] of Object.entries(fields)) {
        const { problems, value } = checkSettingsPatch({ [k]: v });
        if (problems.length === 0) Object.assign(this.current, value);
      }
    } catch {
      // No settings yet: the defaults.
    }
  }

  get(): AppSettings {
    return { ...this.current };
  }

  update(patch: unknown): SettingsResult {
    const { problems, value } = checkSettingsPatch(patch);
    if (problems.length > 0) return { ok: false, problems };
    this.current = { ...this.current, ...value };
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      writeFileSync(`${this.file}.tmp`, JSON.stringify(this.current, null, 2) + '\n');
      renameSync(`${this.file}.tmp`, this.file);
    } catch (err) {
      return { ok: false, problems: [`settings: cannot save ${this.file}: ${(err as Error).message}`] };
    }
    return { ok: true, settings: this.get() };
  }
}
