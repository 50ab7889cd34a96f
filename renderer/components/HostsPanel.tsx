// Device host processes: the generator's own health. A saturated generator looks exactly like
// a broken server, so warn loudly.
import type { HostStatus } from '../../src/contract/snapshot.ts';
import { fmtInt, fmtMs } from '../lib/format.ts';

const fmtLag = (ms: number) => (ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`);
import { useFleet } from '../state/fleet-store.ts';

export const LOOP_LAG_LIMIT_MS = 50;
export const CPU_LIMIT_PCT = 90;

export function saturated(h: HostStatus): boolean {
  return h.state !== 'lost' && h.state !== 'stopped' && (h.loopLagP99Ms > LOOP_LAG_LIMIT_MS || h.cpuPct > CPU_LIMIT_PCT);
}

const NO_HOSTS: HostStatus[] = [];

/** "3" for a local run's host; "shard/host" ("2/0") in a view attached to a distributed run. */
const hostLabel = (h: HostStatus) => (h.shard === undefined ? String(h.hostId) : `${h.shard}/${h.hostId}`);

export function HostsPanel() {
  const hosts = useFleet((s) => s.snapshot?.hosts ?? NO_HOSTS);
  const hot = hosts.filter(saturated);
  return (
    <section className="panel hosts-panel">
      <div className="panel-title">
        <span>Generator hosts</span>
        <span className="muted">{hosts.length || ''}</span>
      </div>
      {hot.length ? (
        <div className="alert alert-warn" data-testid="host-warning" role="alert">
          <strong>Generator saturated — results not trustworthy.</strong>{' '}
          {hot.map((h) => `host ${hostLabel(h)}: ${h.cpuPct > CPU_LIMIT_PCT ? `CPU ${Math.round(h.cpuPct)}%` : ''}${h.cpuPct > CPU_LIMIT_PCT && h.loopLagP99Ms > LOOP_LAG_LIMIT_MS ? ', ' : ''}${h.loopLagP99Ms > LOOP_LAG_LIMIT_MS ? `loop lag p99 ${fmtMs(h.loopLagP99Ms)}` : ''}`).join('; ')}
        </div>
      ) : null}
      <div className="table-scroll">
        <table className="grid-table hosts-table">
          <thead>
            <tr>
              <th>#</th>
              <th>pid</th>
              <th>state</th>
              <th className="r">devices</th>
              <th className="r">CPU</th>
              <th className="r">RSS</th>
              <th className="r" title="event-loop lag p99">lag p99</th>
            </tr>
          </thead>
          <tbody>
            {hosts.length === 0 ? (
              <tr>
                <td colSpan={7} className="empty-cell">
                  no hosts — start a run
                </td>
              </tr>
            ) : (
              hosts.map((h) => (
                <tr key={hostLabel(h)} data-testid="host-row" data-host-id={h.hostId} data-shard={h.shard} className={saturated(h) ? 'hot' : h.state === 'lost' ? 'lost' : ''} title={h.lostReason}>
                  <td className="num" title={h.shard === undefined ? undefined : `shard ${h.shard}, host ${h.hostId}`}>{hostLabel(h)}</td>
                  <td className="num muted">{h.pid ?? '—'}</td>
                  <td>
                    <span className={`host-state hs-${h.state}`}>{h.state}</span>
                  </td>
                  <td className="num r">{fmtInt(h.devices)}</td>
                  <td className={`num r${h.cpuPct > CPU_LIMIT_PCT ? ' bad' : ''}`}>
                    <span className="cpu-cell">
                      <span className="cpu-bar">
                        <span style={{ width: `${Math.min(100, h.cpuPct)}%` }} />
                      </span>
                      {Math.round(h.cpuPct)}%
                    </span>
                  </td>
                  <td className="num r">{fmtInt(h.rssMB)} MB</td>
                  <td className={`num r${h.loopLagP99Ms > LOOP_LAG_LIMIT_MS ? ' bad' : ''}`}>{fmtLag(h.loopLagP99Ms)}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
