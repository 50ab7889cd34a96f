// "Why devices dropped": the causes named from the run's drops and refusals (idle timeouts,
// lifetime limits, takeovers, keepalive misses, overload, TLS alerts). Shown once there is one.
import type { DisconnectCause } from '../../src/contract/disconnect-causes.ts';
import { fmtInt } from '../lib/format.ts';
import { useFleet } from '../state/fleet-store.ts';

const NO_CAUSES: DisconnectCause[] = [];

export function CausesCard() {
  const causes = useFleet((s) => s.snapshot?.disconnectCauses ?? NO_CAUSES);
  if (causes.length === 0) return null;
  return (
    <section className="panel causes-card" data-testid="causes-card">
      <div className="panel-title">
        <span>Why devices dropped</span>
        <span className="muted">clusters of drops and refusals, named</span>
      </div>
      <ul className="causes">
        {causes.map((c) => (
          <li key={`${c.phase}:${c.reason}:${c.kind}`} className={`cause cause-${c.kind}`} data-testid="cause" data-kind={c.kind}>
            <span className="cause-count num">{fmtInt(c.count)}</span>
            <span className="cause-text">{c.text}</span>
            <span className="cause-reason" title="the reason these drops were counted under">
              {c.reason}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
