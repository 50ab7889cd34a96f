// "Test PKI": creates Fleetsim's test CA and server certificate (fleetsim certs init) from the UI,
// or shows the one already there, and says how a scenario points at it.
import { initPki } from '../session.ts';
import { pkiStatus, pkiStore, usePki } from '../state/pki-store.ts';

export function PkiPanel() {
  const busy = usePki((s) => s.busy);
  const dir = usePki((s) => s.dir);
  const result = usePki((s) => s.result);
  const status = result ? pkiStatus(result) : null;
  return (
    <section className="pki-panel">
      <div className="pki-row">
        <span className="pki-title" title="A CA, a server certificate for localhost, and per-device client certificates on demand">
          Test PKI
        </span>
        <input
          type="text"
          spellCheck={false}
          autoComplete="off"
          value={dir}
          placeholder="default directory"
          title="Where to create it; empty = $FLEETSIM_HOME/pki (~/.fleetsim/pki)"
          data-testid="pki-dir"
          onChange={(e) => pkiStore.setState({ dir: e.target.value, result: null })}
        />
        <button type="button" className="btn btn-ghost" data-testid="pki-init" disabled={busy} onClick={() => void initPki()}>
          {busy ? 'Creating…' : 'Create test PKI'}
        </button>
      </div>
      {status ? (
        <div className={`pki-status ${status.tone}`} data-testid="pki-status" data-tone={status.tone} role={status.tone === 'error' ? 'alert' : undefined}>
          <div className="pki-text">{status.text}</div>
          {status.hints.map((h) => (
            <div key={h.label} className="pki-hint">
              <span className="pki-hint-label">{h.label}:</span> <code>{h.code}</code>
            </div>
          ))}
          {status.problems.length ? (
            <ul className="problems">
              {status.problems.map((p, i) => (
                <li key={i} className="problem">
                  {p}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
