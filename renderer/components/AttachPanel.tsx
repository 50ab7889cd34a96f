// "Attach to a distributed run": the live view fed from Prometheus (its shards serve /metrics
// with labels run and shard). While attached: where from, how many shards report, and why not
// when Prometheus does not answer or has no series yet.
import { useState } from 'react';
import { useFleet } from '../state/fleet-store.ts';
import { attachRun, detachRun, useActions } from '../session.ts';

function AttachedStatus() {
  const attach = useFleet((s) => s.attach)!;
  const busy = useActions((s) => s.busy);
  const tone = attach.health === 'ok' ? 'ok' : attach.health === 'error' ? 'error' : 'warn';
  return (
    <section className="attach-panel attached" data-testid="attach-panel">
      <div className="attach-row">
        <span className="attach-title">Attached to a distributed run</span>
        <span className="spacer" />
        <button type="button" className="btn btn-ghost" data-testid="attach-detach" disabled={busy !== null} onClick={() => void detachRun()}>
          Detach
        </button>
      </div>
      <dl className="attach-facts">
        <dt>run</dt>
        <dd className="mono">{attach.runId}</dd>
        <dt>Prometheus</dt>
        <dd className="mono">{attach.prometheusUrl}</dd>
        <dt>shards</dt>
        <dd className="mono" data-testid="attach-shards">
          {attach.shards}
        </dd>
        <dt>window</dt>
        <dd className="mono">{attach.windowSeconds} s</dd>
      </dl>
      {attach.message ? (
        <div className={`alert alert-${tone === 'error' ? 'error' : 'warn'}`} data-testid="attach-message" role={tone === 'error' ? 'alert' : undefined}>
          {attach.message}
        </div>
      ) : null}
      <div className="attach-note muted">
        Groups, devices, storms and the event log stay with each shard; this view shows what Prometheus sums over them.
      </div>
    </section>
  );
}

function AttachForm() {
  const [prometheusUrl, setUrl] = useState('http://127.0.0.1:9090');
  const [runId, setRunId] = useState('');
  const [problems, setProblems] = useState<string[]>([]);
  const busy = useActions((s) => s.busy);
  const localRun = useFleet((s) => s.runState === 'starting' || s.runState === 'running' || s.runState === 'stopping');
  const submit = async () => setProblems(await attachRun({ prometheusUrl: prometheusUrl.trim(), runId: runId.trim() }));
  return (
    <details className="attach-panel" data-testid="attach-form">
      <summary className="attach-title">Attach to a distributed run</summary>
      <form
        className="attach-fields"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="field">
          <label htmlFor="attach-url">
            Prometheus URL <span className="hint">scraping the shards</span>
          </label>
          <div className="control">
            <input id="attach-url" data-testid="attach-url" value={prometheusUrl} onChange={(e) => setUrl(e.target.value)} spellCheck={false} />
          </div>
        </div>
        <div className="field">
          <label htmlFor="attach-run-id">
            Run id <span className="hint">the shards' --run-id</span>
          </label>
          <div className="control">
            <input id="attach-run-id" data-testid="attach-run-id" value={runId} onChange={(e) => setRunId(e.target.value)} spellCheck={false} />
          </div>
        </div>
        <div className="attach-row">
          <span className="spacer" />
          <button type="submit" className="btn" data-testid="attach-submit" disabled={busy !== null || localRun} title={localRun ? 'stop the local run first' : undefined}>
            {busy === 'attach' ? 'Attaching…' : 'Attach'}
          </button>
        </div>
        {problems.length ? (
          <ul className="problems" data-testid="attach-problems">
            {problems.map((p, i) => (
              <li className="problem" key={i}>
                {p}
              </li>
            ))}
          </ul>
        ) : null}
      </form>
    </details>
  );
}

export function AttachPanel() {
  const attached = useFleet((s) => s.attach !== null);
  return attached ? <AttachedStatus /> : <AttachForm />;
}
