// The editor's run mode: a plain run, or a capacity search (devices added in steps, each held and
// judged, until the knee). The search's settings are the scenario's `capacity:` block, checked
// by the contract as the scenario is; the fields start from the defaults `fleetsim capacity` uses.
import { defaultCapacityBlock } from '../../src/contract/capacity-options.ts';
import { CAPACITY_CRITERIA_FIELDS, CAPACITY_FIELDS } from '../state/editor-model.ts';
import { editorStore, useEditor, type RunMode } from '../state/editor-store.ts';
import { Field, Problems } from './Field.tsx';

const DEFAULTS: Record<string, string> = Object.fromEntries(Object.entries(defaultCapacityBlock()).map(([k, v]) => [`capacity.${k}`, String(v)]));

const MODES: Array<{ mode: RunMode; label: string; tip: string }> = [
  { mode: 'run', label: 'Run', tip: 'Run the scenario for its duration' },
  { mode: 'capacity', label: 'Capacity search', tip: 'Add devices in steps, hold each, and stop at the first step that breaks a criterion (the knee)' },
];

export function ModeSwitch({ locked }: { locked: boolean }) {
  const mode = useEditor((s) => s.mode);
  return (
    <div className="nav-tabs mode-switch" role="radiogroup" aria-label="run mode">
      {MODES.map((m) => (
        <button
          key={m.mode}
          type="button"
          role="radio"
          aria-checked={mode === m.mode}
          className={`nav-tab mode-option${mode === m.mode ? ' active' : ''}`}
          data-testid={`mode-${m.mode}`}
          title={m.tip}
          disabled={locked}
          onClick={() => editorStore.setMode(m.mode)}
        >
          {m.label}
        </button>
      ))}
    </div>
  );
}

export function CapacitySettings({ locked }: { locked: boolean }) {
  const mode = useEditor((s) => s.mode);
  if (mode !== 'capacity') return null;
  return (
    <section className="capacity-settings" data-testid="capacity-settings">
      <div className="subhead">Capacity search</div>
      <p className="capacity-note muted">The search ends the run at the knee: the duration is only an outer bound, and storms are left out.</p>
      <Problems at="capacity" />
      <div className="grid3">
        {CAPACITY_FIELDS.map((f) => (
          <Field key={f.key} path={f.key} spec={f} disabled={locked} placeholder={f.placeholder ?? DEFAULTS[f.key]} />
        ))}
      </div>
      <div className="subhead">A step fails over</div>
      <div className="grid3">
        {CAPACITY_CRITERIA_FIELDS.map((f) => (
          <Field key={f.key} path={f.key} spec={f} disabled={locked} placeholder={DEFAULTS[f.key]} />
        ))}
      </div>
    </section>
  );
}
