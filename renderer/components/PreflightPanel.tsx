// "Machine check" under the scenario fields: the preflight a start would make (ports, open
// files, memory, kernel backlogs, cores), kept current as the scenario is edited.
import { useEffect, useState } from 'react';
import { getFleetApi } from '../api/index.ts';
import { editorStore } from '../state/editor-store.ts';
import { createPreflightStore, preflightVerdict, usePreflight } from '../state/preflight-store.ts';

const preflight = createPreflightStore(() => (scenario) => getFleetApi().preflight(scenario));
const ICON = { ok: '✓', warn: '!', error: '✕' } as const;

export function PreflightPanel() {
  const report = usePreflight(preflight, (s) => s.report);
  const problems = usePreflight(preflight, (s) => s.problems);
  const busy = usePreflight(preflight, (s) => s.busy);
  const [showAll, setShowAll] = useState(false);

  useEffect(() => {
    const follow = (s: ReturnType<typeof editorStore.getState>) => (s.problems.length === 0 ? preflight.schedule(s.draft) : preflight.clear());
    follow(editorStore.getState());
    return editorStore.subscribe((s, prev) => {
      if (s.draft !== prev.draft) follow(s);
    });
  }, []);

  const verdict = report ? preflightVerdict(report) : null;
  const shown = report ? report.checks.filter((c) => showAll || c.level !== 'ok') : [];
  return (
    <section className="preflight-panel" data-testid="preflight">
      <div className="preflight-row">
        <span className="preflight-title" title="What a start checks first: ports, open files, memory, kernel backlogs, cores">
          Machine check
        </span>
        <span className={`preflight-verdict ${verdict?.tone ?? 'muted'}`} data-testid="preflight-verdict" data-tone={verdict?.tone ?? ''}>
          {verdict ? verdict.text : problems.length ? 'Could not check' : busy ? 'Checking…' : 'Waiting for a valid scenario'}
        </span>
        <button type="button" className="btn btn-ghost" disabled={busy} onClick={() => void preflight.runNow(editorStore.getState().draft)}>
          Check
        </button>
      </div>
      {shown.length > 0 && (
        <ul className="preflight-checks" data-testid="preflight-checks">
          {shown.map((c, i) => (
            <li key={i} className={`preflight-check ${c.level}`} data-level={c.level}>
              <span className="preflight-icon" aria-label={c.level}>
                {ICON[c.level]}
              </span>
              <span className="preflight-topic">{c.topic}</span>
              <span className="preflight-message">
                {c.message}
                {c.fix && <span className="preflight-fix">Fix: {c.fix}</span>}
              </span>
            </li>
          ))}
        </ul>
      )}
      {report && report.checks.some((c) => c.level === 'ok') && (
        <button type="button" className="link-button preflight-toggle" onClick={() => setShowAll(!showAll)}>
          {showAll ? 'hide passed checks' : `show all ${report.checks.length} checks`}
        </button>
      )}
      {problems.length > 0 && report === null && <div className="preflight-fix">{problems[0]}</div>}
    </section>
  );
}
