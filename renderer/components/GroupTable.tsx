// Per-group figures: devices, online, connects, drops by reason, messages per second and
// p50/p99 of each latency kind recorded. Live from the snapshot, or a past run's summary.
import type { GroupStats } from '../../src/contract/snapshot.ts';
import { fmtInt, fmtMs, fmtRate } from '../lib/format.ts';
import { useFleet } from '../state/fleet-store.ts';
import { groupTable } from '../state/group-rows.ts';

export function GroupTable({ groups, rateNote }: { groups: Record<string, GroupStats> | null | undefined; rateNote: string }) {
  const { rows, kinds } = groupTable(groups);
  if (rows.length === 0) return null;
  return (
    <section className="panel group-table" data-testid="group-table">
      <div className="panel-title">
        <span>Groups</span>
        <span className="muted">msgs/s {rateNote}; latency p50 / p99, ms</span>
      </div>
      <div className="table-scroll">
        <table className="mini-table">
          <thead>
            <tr>
              <th>group</th>
              <th>devices</th>
              <th>online</th>
              <th>connects</th>
              <th>failed</th>
              <th>drops</th>
              <th>sent/s</th>
              <th>recv/s</th>
              {kinds.map((k) => (
                <th key={k}>{k}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map(({ name, stats: s, reasons }) => (
              <tr key={name} data-testid="group-row" data-group={name} data-online={s.online} data-connects={s.connects} data-drops={s.disconnects} data-sent={s.sent} data-sent-per-sec={s.sentPerSec}>
                <td className="group-name">{name}</td>
                <td className="num">{fmtInt(s.devices)}</td>
                <td className="num">{fmtInt(s.online)}</td>
                <td className="num">{fmtInt(s.connects)}</td>
                <td className="num">{fmtInt(s.connectFailures)}</td>
                <td className="num" title={reasons.map(([r, n]) => `${r}: ${fmtInt(n)}`).join('\n') || 'no drops'}>
                  {fmtInt(s.disconnects)}
                  {reasons.length > 0 ? <span className="muted group-reasons"> {reasons.slice(0, 3).map(([r, n]) => `${r} ${fmtInt(n)}`).join(' · ')}{reasons.length > 3 ? ' …' : ''}</span> : null}
                </td>
                <td className="num">{fmtRate(s.sentPerSec)}</td>
                <td className="num">{fmtRate(s.receivedPerSec)}</td>
                {kinds.map((k) => {
                  const l = s.latency[k];
                  return (
                    <td key={k} className="num" data-kind={k}>
                      {l && l.count > 0 ? `${fmtMs(l.p50)} / ${fmtMs(l.p99)}` : '—'}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function LiveGroupTable() {
  const groups = useFleet((s) => s.snapshot?.groupStats);
  return <GroupTable groups={groups} rateNote="over the last second" />;
}
