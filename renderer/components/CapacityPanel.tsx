// A capacity search in the live view: the plan, what the search does now, one row per step
// (devices, online, failures, drops, CONNACK/PUBACK p99, the generator's loop lag and CPU, held
// or failed and why) and, at the end, the verdict: the largest step held, the knee, who gave out.
import type { CapacityCheck, CapacityProgress, CapacityResult, CapacityStep } from '../../src/contract/capacity.ts';
import { fmtInt, fmtMs } from '../lib/format.ts';
import { capacityPhaseText, capacityRows, failuresText, WHO_TEXT } from '../state/capacity-view.ts';
import { useFleet } from '../state/fleet-store.ts';

const CHECK_TEXT: Record<CapacityCheck, string> = {
  'connect-failures': 'connect failures',
  drops: 'drops',
  'connack-p99': 'CONNACK p99',
  'puback-p99': 'PUBACK p99',
  generator: 'generator saturated',
};

function failed(s: CapacityStep, check: CapacityCheck): string {
  return s.failures.some((f) => f.check === check) ? ' bad' : '';
}

function StepRow({ s }: { s: CapacityStep }) {
  return (
    <tr className={s.held ? 'held' : 'knee'} data-testid="capacity-step" data-devices={s.devices} data-held={s.held}>
      <td className="num">{s.index}</td>
      <td className="num r">{fmtInt(s.devices)}</td>
      <td className="num r">{fmtInt(s.online)}</td>
      <td className={`num r${failed(s, 'connect-failures')}`} title={Object.entries(s.failureReasons).map(([r, n]) => `${r} ${n}`).join(', ') || undefined}>
        {failuresText(s)}
      </td>
      <td className={`num r${failed(s, 'drops')}`} title={Object.entries(s.dropReasons).map(([r, n]) => `${r} ${n}`).join(', ') || undefined}>
        {fmtInt(s.drops)}
      </td>
      <td className={`num r${failed(s, 'connack-p99')}`}>{fmtMs(s.connackP99Ms)}</td>
      <td className={`num r${failed(s, 'puback-p99')}`}>{s.pubackP99Ms > 0 ? fmtMs(s.pubackP99Ms) : '—'}</td>
      <td className={`num r${failed(s, 'generator')}`}>{fmtMs(s.loopLagP99Ms)}</td>
      <td className={`num r${failed(s, 'generator')}`}>{Math.round(s.cpuPct)}%</td>
      <td className="capacity-outcome" title={s.failures.map((f) => f.detail).join('\n') || undefined}>
        {s.held ? <span className="held-text">held</span> : <span className="failed-text">failed: {s.failures.map((f) => CHECK_TEXT[f.check]).join(', ')}</span>}
      </td>
    </tr>
  );
}

function Verdict({ r }: { r: CapacityResult }) {
  const knee = r.steps.find((s) => !s.held);
  return (
    <div className={`capacity-verdict who-${r.who}`} data-testid="capacity-verdict" data-knee={r.knee ?? ''} data-largest-held={r.largestHeld} data-who={r.who} data-ended={r.ended}>
      <dl className="capacity-figures">
        <div>
          <dt>Largest step held</dt>
          <dd data-testid="capacity-largest-held">{fmtInt(r.largestHeld)} devices</dd>
        </div>
        <div>
          <dt>Knee</dt>
          <dd data-testid="capacity-knee">{r.knee === null ? 'none found' : `${fmtInt(r.knee)} devices`}</dd>
        </div>
        <div>
          <dt>Who gave out</dt>
          <dd data-testid="capacity-who">{WHO_TEXT[r.who]}</dd>
        </div>
      </dl>
      <p className="capacity-sentence" data-testid="capacity-sentence">
        {r.verdict}
      </p>
      {knee && knee.failures.length > 1 ? (
        <ul className="capacity-failures">
          {knee.failures.map((f, i) => (
            <li key={i}>{f.detail}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function planText(p: CapacityProgress): string {
  const n = p.plan.stepDevices.length;
  return `${n} step${n === 1 ? '' : 's'} up to ${fmtInt(p.plan.stepDevices.at(-1) ?? 0)} of ${fmtInt(p.plan.totalDevices)} devices · hold ${p.plan.holdMs / 1000} s`;
}

const STAGE_TEXT: Record<string, string> = { admitting: 'admitting…', holding: 'holding…', judging: 'judging…' };

export function CapacityPanel() {
  const progress = useFleet((s) => s.capacity);
  if (!progress) return null;
  const { rows, morePlanned } = capacityRows(progress);
  const ended = progress.result !== null;
  return (
    <section className="panel capacity-panel" data-testid="capacity-panel">
      <div className="panel-title">
        <span>Capacity search</span>
        <span className="muted">{planText(progress)}</span>
        <span className="spacer" />
        <span className={`chip capacity-phase${ended ? '' : ' live'}`} data-testid="capacity-phase">
          {capacityPhaseText(progress)}
        </span>
      </div>
      {progress.result ? <Verdict r={progress.result} /> : null}
      <div className="table-scroll">
        <table className="grid-table capacity-table">
          <thead>
            <tr>
              <th>#</th>
              <th className="r">devices</th>
              <th className="r">online</th>
              <th className="r" title="failed connection attempts (share of the step's attempts)">failures</th>
              <th className="r" title="drops not caused by a storm">drops</th>
              <th className="r">CONNACK p99</th>
              <th className="r">PUBACK p99</th>
              <th className="r" title="the worst generator host's event-loop lag p99">loop lag</th>
              <th className="r" title="the worst generator host's CPU">CPU</th>
              <th>step</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) =>
              row.kind === 'done' ? (
                <StepRow key={row.index} s={row.step} />
              ) : (
                <tr key={row.index} className={row.kind} data-testid={row.kind === 'current' ? 'capacity-current' : undefined}>
                  <td className="num">{row.index}</td>
                  <td className="num r">{fmtInt(row.devices)}</td>
                  <td colSpan={7} />
                  <td className="muted">{row.kind === 'current' ? STAGE_TEXT[row.stage] : 'planned'}</td>
                </tr>
              ),
            )}
            {morePlanned > 0 ? (
              <tr className="planned">
                <td colSpan={10} className="muted">
                  … {morePlanned} more step{morePlanned === 1 ? '' : 's'} planned
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}
