// The live figures: online / target, device states, rates, latencies, reasons.
import { fmtInt, fmtMs, fmtPct, fmtRate, topReasons } from '../lib/format.ts';
import { rampLabel } from '../lib/ramp-label.ts';
import { useFleet, type FleetState } from '../state/fleet-store.ts';
import { LATENCY_LABELS, latencyRows, runUsesTls, tlsShare } from '../state/live-tls.ts';

const target = (s: FleetState) => s.snapshot?.devices ?? s.runScenario?.groups.reduce((n, g) => n + g.count, 0) ?? 0;

function OnlineCard() {
  const online = useFleet((s) => s.snapshot?.gauges.online ?? 0);
  const devices = useFleet(target);
  const connecting = useFleet((s) => s.snapshot?.gauges.connecting ?? 0);
  const backoff = useFleet((s) => s.snapshot?.gauges.backoff ?? 0);
  const idle = useFleet((s) => s.snapshot?.gauges.idle ?? 0);
  const failed = useFleet((s) => s.snapshot?.gauges.failed ?? 0);
  const lost = useFleet((s) => s.snapshot?.gauges.lost ?? 0);
  const pct = devices ? (online / devices) * 100 : 0;
  const seg = (n: number) => `${devices ? (n / devices) * 100 : 0}%`;
  return (
    <section className="panel online-card">
      <div className="panel-title">
        <span>Online</span>
        <span className="muted num">{devices ? `${pct.toFixed(1)}%` : ''}</span>
      </div>
      <div className="online-figure">
        <span className="online-count num" data-testid="online-count">
          {fmtInt(online)}
        </span>
        <span className="online-sep">/</span>
        <span className="online-target num" data-testid="online-target">
          {fmtInt(devices)}
        </span>
      </div>
      <div className="state-bar" title="online · connecting · backoff · failed · lost">
        <div className="s-online" style={{ width: seg(online) }} />
        <div className="s-connecting" style={{ width: seg(connecting) }} />
        <div className="s-backoff" style={{ width: seg(backoff) }} />
        <div className="s-failed" style={{ width: seg(failed) }} />
        <div className="s-lost" style={{ width: seg(lost) }} />
      </div>
      <div className="gauge-grid">
        <Gauge label="connecting" value={connecting} cls="c-connecting" />
        <Gauge label="backoff" value={backoff} cls="c-backoff" />
        <Gauge label="idle" value={idle} cls="c-idle" />
        <Gauge label="failed" value={failed} cls="c-failed" alert={failed > 0} />
        <Gauge label="lost" value={lost} cls="c-lost" alert={lost > 0} />
      </div>
    </section>
  );
}

function Gauge({ label, value, cls, alert }: { label: string; value: number; cls: string; alert?: boolean }) {
  return (
    <div className={`gauge ${cls}${alert ? ' is-alert' : ''}`} data-testid={`gauge-${label}`}>
      <span className="gauge-label">
        <span className="dot" />
        {label}
      </span>
      <span className="gauge-value num">{fmtInt(value)}</span>
    </div>
  );
}

function Rate({ label, value, unit, cls }: { label: string; value: number; unit: string; cls?: string }) {
  return (
    <div className={`tile ${cls ?? ''}`}>
      <div className="tile-label">{label}</div>
      <div className="tile-value num" data-testid={`rate-${label.replace(/ /g, '-')}`}>
        {fmtRate(value)}
        <span className="unit">{unit}</span>
      </div>
    </div>
  );
}

function RatesCard() {
  const cps = useFleet((s) => s.snapshot?.rates.connectsPerSec ?? 0);
  const dps = useFleet((s) => s.snapshot?.rates.disconnectsPerSec ?? 0);
  const sent = useFleet((s) => s.snapshot?.rates.sentPerSec ?? 0);
  const recv = useFleet((s) => s.snapshot?.rates.receivedPerSec ?? 0);
  const totalConnects = useFleet((s) => s.snapshot?.totals.connects ?? 0);
  const attempts = useFleet((s) => s.snapshot?.totals.connectAttempts ?? 0);
  const reconnects = useFleet((s) => s.snapshot?.totals.reconnects ?? 0);
  const handshakes = useFleet((s) => s.snapshot?.totals.tlsHandshakes ?? 0);
  const resumed = useFleet((s) => s.snapshot?.totals.tlsResumed ?? 0);
  const tls = tlsShare({ tlsHandshakes: handshakes, tlsResumed: resumed });
  const rampStatus = useFleet((s) => s.snapshot?.ramp);
  const ramp = rampStatus ? rampLabel(rampStatus) : null;
  return (
    <section className="panel rates-card">
      <div className="panel-title">
        <span>Throughput</span>
      </div>
      <div className="tiles">
        <Rate label="connects" value={cps} unit="/s" cls="t-connect" />
        <Rate label="disconnects" value={dps} unit="/s" cls={dps > 0 ? 't-warn' : ''} />
        <Rate label="msgs sent" value={sent} unit="/s" cls="t-sent" />
        <Rate label="msgs received" value={recv} unit="/s" cls="t-recv" />
      </div>
      <div className="totals muted">
        <span>
          <b className="num">{fmtInt(totalConnects)}</b> connects
        </span>
        <span>
          <b className="num">{fmtInt(attempts)}</b> attempts
        </span>
        <span>
          <b className="num">{fmtInt(reconnects)}</b> reconnects
        </span>
        {ramp ? (
          <span className={ramp.warn ? 'ramp-status warn' : 'ramp-status'} data-testid="ramp-status" title={ramp.title}>
            {ramp.text}
          </span>
        ) : null}
        {tls ? (
          <span className="tls-share" data-testid="tls-handshakes" title={`${fmtInt(tls.resumed)} of ${fmtInt(tls.handshakes)} TLS handshakes resumed a session`}>
            <b className="num">{fmtInt(tls.handshakes)}</b> TLS handshakes · <b className="num">{fmtPct(tls.resumedPct)}</b> resumed
          </span>
        ) : null}
      </div>
    </section>
  );
}

function LatencyCard() {
  const latency = useFleet((s) => s.snapshot?.latency);
  const showTls = useFleet((s) => runUsesTls(s.runScenario, s.snapshot?.latency));
  return (
    <section className="panel latency-card">
      <div className="panel-title">
        <span>Latency</span>
        <span className="muted">ms</span>
      </div>
      <table className="mini-table">
        <thead>
          <tr>
            <th />
            <th>p50</th>
            <th>p99</th>
            <th>n</th>
          </tr>
        </thead>
        <tbody>
          {latencyRows(showTls).map((k) => {
            const l = latency?.[k];
            const has = !!l && l.count > 0;
            return (
              <tr key={k} data-testid={`latency-${k}`}>
                <td className="lat-kind">{LATENCY_LABELS[k] ?? k}</td>
                <td className="num">{has ? fmtMs(l.p50) : '—'}</td>
                <td className={`num p99${has && l.p99 >= 1000 ? ' slow' : ''}`}>{has ? fmtMs(l.p99) : '—'}</td>
                <td className="num muted">{has ? fmtInt(l.count) : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

export function ReasonList({ title, reasons, empty, testId }: { title: string; reasons: Array<[string, number]>; empty: string; testId: string }) {
  const max = reasons[0]?.[1] ?? 0;
  return (
    <div className="reasons">
      <div className="subhead">{title}</div>
      {reasons.length === 0 ? (
        <div className="muted small">{empty}</div>
      ) : (
        <ul>
          {reasons.map(([k, v]) => (
            <li key={k} title={`${k}: ${fmtInt(v)}`} data-testid={testId} data-reason={k}>
              <span className="reason-bar" style={{ width: `${max ? (v / max) * 100 : 0}%` }} />
              <span className="reason-name">{k}</span>
              <span className="num">{fmtInt(v)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ReasonsCard() {
  const disconnects = useFleet((s) => s.snapshot?.disconnectReasons);
  const failures = useFleet((s) => s.snapshot?.failureReasons);
  return (
    <section className="panel reasons-card">
      <div className="panel-title">
        <span>Reasons</span>
      </div>
      <ReasonList title="Disconnects" reasons={topReasons(disconnects, 3)} empty="no drops" testId="disconnect-reason" />
      {/* Negative TLS groups fail under several reasons at once: show a few more of them. */}
      <ReasonList title="Connect failures" reasons={topReasons(failures, 5)} empty="no failures" testId="failure-reason" />
    </section>
  );
}

export function LiveCounters() {
  return (
    <div className="stats">
      <OnlineCard />
      <RatesCard />
      <LatencyCard />
      <ReasonsCard />
    </div>
  );
}
