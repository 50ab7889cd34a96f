// The Settings panel: the app settings as saved, the form being edited (numbers stay text until
// saved, so the fleet's own checks name what is wrong), and the problems updateSettings
// returned, by field. Built on a FleetApi getter so tests can give it a fake.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { FleetApi } from '../../src/contract/fleet-api.ts';
import type { AppSettings } from '../../src/contract/runs.ts';

export const SETTINGS_FIELDS = ['runsDir', 'record', 'metricsPort', 'eventLogMaxMB'] as const;
export type SettingsField = (typeof SETTINGS_FIELDS)[number];

export interface SettingsForm {
  runsDir: string;
  record: boolean;
  /** Serve Prometheus /metrics during runs. */
  metricsOn: boolean;
  /** The port as typed; empty = any free port (0). */
  metricsPort: string;
  eventLogMaxMB: string;
}

export interface SettingsState {
  saved: AppSettings | null;
  form: SettingsForm;
  status: 'idle' | 'loading' | 'ready' | 'saving' | 'error';
  loadError: string | null;
  /** Problems by field; '' holds those about no one field. */
  problems: Partial<Record<SettingsField | '', string[]>>;
  /** When the last save succeeded (ms), until the form is edited again. */
  savedAt: number | null;
}

export interface SettingsStore extends StoreApi<SettingsState> {
  load(): Promise<void>;
  setField<K extends keyof SettingsForm>(key: K, value: SettingsForm[K]): void;
  save(): Promise<void>;
  /** Back to the saved settings. */
  reset(): void;
}

export function formFromSettings(s: AppSettings): SettingsForm {
  return {
    runsDir: s.runsDir,
    record: s.record,
    metricsOn: s.metricsPort !== null,
    metricsPort: s.metricsPort === null || s.metricsPort === 0 ? '' : String(s.metricsPort),
    eventLogMaxMB: String(s.eventLogMaxMB),
  };
}

const EMPTY_FORM: SettingsForm = { runsDir: '', record: true, metricsOn: false, metricsPort: '', eventLogMaxMB: '' };

/** "9464" → 9464; anything else is sent as typed, so updateSettings says what is wrong with it. */
function numberOrText(text: string): number | string {
  const t = text.trim();
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : text;
}

/** The form's value of each field, as updateSettings takes it. */
export function formValues(form: SettingsForm): Record<SettingsField, unknown> {
  return {
    runsDir: form.runsDir.trim(),
    record: form.record,
    metricsPort: form.metricsOn ? (form.metricsPort.trim() === '' ? 0 : numberOrText(form.metricsPort)) : null,
    eventLogMaxMB: numberOrText(form.eventLogMaxMB),
  };
}

/** Only the fields that differ from the saved settings (all of them before anything was loaded). */
export function settingsPatch(form: SettingsForm, saved: AppSettings | null): Partial<Record<SettingsField, unknown>> {
  const values = formValues(form);
  const patch: Partial<Record<SettingsField, unknown>> = {};
  for (const k of SETTINGS_FIELDS) if (!saved || values[k] !== saved[k]) patch[k] = values[k];
  return patch;
}

/** "metricsPort: expected …" → under metricsPort (without its name); anything else under ''. */
export function problemsByField(problems: readonly string[]): SettingsState['problems'] {
  const out: SettingsState['problems'] = {};
  for (const p of problems) {
    const i = p.indexOf(': ');
    const field = i > 0 ? p.slice(0, i) : '';
    if ((SETTINGS_FIELDS as readonly string[]).includes(field)) (out[field as SettingsField] ??= []).push(p.slice(i + 2));
    else (out[''] ??= []).push(p);
  }
  return out;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createSettingsStore(getApi: () => FleetApi | null): SettingsStore {
  const store = createStore<SettingsState>()(() => ({ saved: null, form: EMPTY_FORM, status: 'idle', loadError: null, problems: {}, savedAt: null }));

  const load = async () => {
    const api = getApi();
    if (!api) return;
    store.setState({ status: 'loading', loadError: null });
    try {
      const saved = await api.settings();
      store.setState({ saved, form: formFromSettings(saved), status: 'ready', problems: {}, savedAt: null });
    } catch (err) {
      store.setState({ status: 'error', loadError: message(err) });
    }
  };

  const save = async () => {
    const api = getApi();
    const s = store.getState();
    if (!api || s.status === 'saving') return;
    const patch = settingsPatch(s.form, s.saved);
    if (Object.keys(patch).length === 0) {
      store.setState({ problems: {}, savedAt: Date.now() });
      return;
    }
    store.setState({ status: 'saving', problems: {}, savedAt: null });
    try {
      const r = await api.updateSettings(patch);
      if (r.ok) store.setState({ saved: r.settings, form: formFromSettings(r.settings), status: 'ready', savedAt: Date.now() });
      else store.setState({ status: 'ready', problems: problemsByField(r.problems) });
    } catch (err) {
      store.setState({ status: 'ready', problems: { '': [message(err)] } });
    }
  };

  return Object.assign(store, {
    load,
    save,
    setField<K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) {
      store.setState((s) => {
        // A field's problem goes once it is edited; metricsOn and metricsPort are one setting.
        const field: SettingsField = key === 'metricsOn' ? 'metricsPort' : (key as SettingsField);
        const { [field]: _gone, ...problems } = s.problems;
        return { form: { ...s.form, [key]: value }, problems, savedAt: null };
      });
    },
    reset() {
      const saved = store.getState().saved;
      if (saved) store.setState({ form: formFromSettings(saved), problems: {}, savedAt: null });
    },
  });
}

let apiGetter: () => FleetApi | null = () => null;
/** The app's settings store (its API is the session's). */
export const settingsStore = createSettingsStore(() => apiGetter());

/** Called once by the session with its API. */
export function setSettingsApi(get: () => FleetApi | null): void {
  apiGetter = get;
}

export function useSettings<T>(selector: (s: SettingsState) => T): T {
  return useStore(settingsStore, selector);
}
