// The timeline charts, for the live run or (given its source) a past one; the last cell of the
// grid is the live backpressure card unless another panel is given.
import type { ReactNode } from 'react';
import { liveChartSource, type ChartSource } from '../state/chart-source.ts';
import type { SeriesSpec } from './TimelineChart.tsx';
import { TimelineChart } from './TimelineChart.tsx';
import { BackpressureCard } from './BackpressureCard.tsx';
import { ReasonsChart } from './ReasonsChart.tsx';
import type { LatencyKind } from '../../src/contract/metrics.ts';
import { p50Key } from '../state/timeline.ts';
import { useFleet } from '../state/fleet-store.ts';

// Stable series definitions (the charts are created once per definition).
const ONLINE: readonly SeriesSpec[] = [
  { key: 'online', label: 'online', color: '#3ecf8e', fill: true },
  { key: 'connecting', label: 'connecting', color: '#4f9cf9' },
  { key: 'backoff', label: 'backoff', color: '#f5a524' },
];
const CONNECTS: readonly SeriesSpec[] = [
  { key: 'connects', label: 'connects', color: '#4f9cf9', fill: true },
  { key: 'disconnects', label: 'disconnects', color: '#f2555a' },
];
const MESSAGES: readonly SeriesSpec[] = [
  { key: 'sent', label: 'sent', color: '#a78bfa', fill: true },
  { key: 'received', label: 'received', color: '#22d3ee' },
];
const LATENCY: readonly SeriesSpec[] = [
  { key: 'connect', label: 'connect', color: '#f5a524' },
  { key: 'tls', label: 'tls', color: '#f472b6' },
  { key: 'connack', label: 'connack', color: '#4f9cf9' },
  { key: 'puback', label: 'puback', color: '#3ecf8e' },
  { key: 'ping', label: 'ping', color: '#a78bfa' },
  { key: 'echo', label: 'echo', color: '#22d3ee' },
];
/** The same kinds and colours, at p50 (drawn beside the p99 chart). */
const LATENCY_P50: readonly SeriesSpec[] = LATENCY.map((s) => ({ ...s, key: p50Key(s.key as LatencyKind) }));
const BUFFERS: readonly SeriesSpec[] = [
  { key: 'targetBufferedBytes', label: 'target → clients', color: '#f5a524', fill: true },
  { key: 'targetMaxClientBufferedBytes', label: 'largest client', color: '#f472b6' },
  { key: 'writeQueueBytes', label: 'device write queues', color: '#a78bfa' },
];
const TARGET_CLIENTS: readonly SeriesSpec[] = [
  { key: 'targetSlowClients', label: 'slow', color: '#f5a524', fill: true },
  { key: 'targetDropped', label: 'dropped at cap', color: '#f2555a' },
  { key: 'targetRefused', label: 'refused', color: '#a78bfa' },
  { key: 'targetShed', label: 'shed', color: '#22d3ee' },
];

/**
 * `target`: whether the run has the embedded target's per-second figures (a recorded run says
 * so from its timeline); live, whether the running fleet has an embedded target. An external
 * target has none, so its run shows no chart of them.
 */
export function Charts({ source = liveChartSource, aside, target }: { source?: ChartSource; aside?: ReactNode; target?: boolean }) {
  const liveTarget = useFleet((s) => s.snapshot?.target != null);
  const showTarget = target ?? liveTarget;
  return (
    <div className="charts">
      <TimelineChart title="Devices" series={ONLINE} kind="count" source={source} />
      <TimelineChart title="Connects / disconnects" unit="per s" series={CONNECTS} kind="rate" source={source} />
      <TimelineChart title="Messages" unit="per s" series={MESSAGES} kind="rate" source={source} />
      <ReasonsChart source={source} />
      <TimelineChart title="Latency p50" unit="ms, log" series={LATENCY_P50} kind="ms" log source={source} />
      <TimelineChart title="Latency p99" unit="ms, log" series={LATENCY} kind="ms" log source={source} />
      <TimelineChart title="Buffers" unit="bytes" series={BUFFERS} kind="bytes" source={source} />
      {showTarget ? <TimelineChart title="Target clients" unit="slow; dropped, refused, shed per s" series={TARGET_CLIENTS} kind="count" source={source} /> : null}
      {aside ?? <BackpressureCard />}
    </div>
  );
}
