// "Machine check" under the scenario fields: the preflight a start would make (ports, open
// files, memory, kernel backlogs, cores), kept current as the scenario is edited.
import { useEffect, useState } from 'react';
import type { ScenarioInput } from '../../src/contract/scenario.ts';
import { getFleetApi } from '../api/index.ts';
import { editorStore, useEditor } from '../state/editor-store.ts';
import { createPreflightStore, preflightVerdict, usePreflight } from '../state/preflight-store.ts';

// Only a draft the editor found valid is checked (see `follow` below).
const preflight = createPreflightStore(() => (draft) => getFleetApi().preflight(draft as ScenarioInput));
const ICON = { ok: '✓', warn: '!', error: '✕' } as const;

export function PreflightPanel() {
  const report = usePreflight(preflight, (s) => s.report);
  const problems = usePreflight(preflight, (s) => s.problems);
  const busy = usePreflight(preflight, (s) => s.busy);
  const valid = useEditor((s) => s.source.kind !== 'empty' && s.problems.length === 0);
  const [showAll, setShowAll] = useState(false);

  useEffect(() => {
    const follow = (s: ReturnType<typeof editorStore.getState>) => (s.problems.length === 0 ? preflight.schedule(s.draft) : preflight.clear());
    follow(editorStore.getState());
    return editorStore.subscribe((s, prev) => {
      if (s.draft !== prev.draft) follow(s);
    });
  }, []);

  const verdict = report ? preflightVerdict(report) : null;
  const passed = report ? report.checks.filter((c) => c.level === 'ok').length : 0;
  const shown = report ? report.checks.filter((c) => showAll || c.level !== 'ok') : [];
  const idle = problems.length ? 'Could not check' : busy ? 'Checking…' : valid ? 'Not checked yet' : 'Checked once the scenario is valid';
  return (
    <section className="preflight-panel" data-testid="preflight" aria-busy={busy}>
      <div className="preflight-row">
        <span className="preflight-title" title="What a start checks first: ports, open files, memory, kernel backlogs, cores">
          Machine check
        </span>
        {busy && report ? <span className="preflight-busy">checking…</span> : null}
        <button
          type="button"
          className="btn btn-ghost"
          data-testid="preflight-check"
          disabled={busy || !valid}
          title="Check this scenario against this machine now"
          onClick={() => void preflight.runNow(editorStore.getState().draft)}
        >
          Check
        </button>
      </div>
      <div className={`preflight-verdict ${verdict?.tone ?? 'muted'}`} data-testid="preflight-verdict" data-tone={verdict?.tone ?? ''} role={verdict?.tone === 'error' ? 'status' : undefined}>
        {verdict ? verdict.text : idle}
        {verdict?.tone === 'error' ? <span className="preflight-plan">{verdict.plan}</span> : null}
      </div>
      {shown.length > 0 && (
        <ul className="preflight-checks" data-testid="preflight-checks">
          {shown.map((c, i) => (
            <li key={i} className={`preflight-check ${c.level}`} data-level={c.level} data-topic={c.topic}>
              <span className="preflight-icon" aria-label={c.level}>
                {ICON[c.level]}
              </span>
              <span className="preflight-topic">{c.topic}</span>
              <span className="preflight-message">
                {c.message}
                {c.fix && (
                  <span className="preflight-fix">
                    <span className="preflight-fix-label">Fix:</span> {c.fix}
                  </span>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
      {passed > 0 ? (
        <button type="button" className="preflight-toggle" data-testid="preflight-toggle" onClick={() => setShowAll(!showAll)}>
          {showAll ? 'hide passed checks' : `show all ${report?.checks.length} checks`}
        </button>
      ) : null}
      {problems.length > 0 && report === null ? <div className="preflight-fix">{problems[0]}</div> : null}
    </section>
  );
}
