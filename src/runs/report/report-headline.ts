// The headline figures of a run as cards: devices, online, connects, drops, messages, bytes and
// whether the generator kept up. Without a summary, figures the timeline cannot tell say so.
import { html, type Html } from './html.ts';
import { fmtBytes, fmtInt, fmtPct } from './report-format.ts';
import type { Headline } from './report-model.ts';

type Tone = '' | 'ok' | 'warn' | 'bad' | 'primary';

interface Card {
  id: string;
  label: string;
  value: string;
  sub?: string;
  tone?: Tone;
}

const share = (n: number | null, of: number) => (n === null || of <= 0 ? undefined : `${fmtPct((n / of) * 100)} of devices`);

export function headlineCards(h: Headline, groups: number): Html {
  const missing = 'needs the summary';
  const derived = h.fromTimeline ? 'from the timeline' : undefined;
  const count = (n: number | null) => (n === null ? '—' : fmtInt(n));
  const cards: Card[] = [
    { id: 'devices', label: 'Devices', value: fmtInt(h.devices), sub: groups > 0 ? `in ${groups} group${groups === 1 ? '' : 's'}` : undefined },
    { id: 'peak-online', label: 'Peak online', value: count(h.peakOnline), sub: share(h.peakOnline, h.devices), tone: 'primary' },
    {
      id: 'online-at-end',
      label: 'Online at end',
      value: count(h.online),
      sub: h.lost ? `${fmtInt(h.lost)} lost with their host` : share(h.online, h.devices),
      tone: h.lost ? 'bad' : '',
    },
    {
      id: 'connects',
      label: 'Connects',
      value: count(h.connects),
      sub: h.connectAttempts !== null ? `of ${fmtInt(h.connectAttempts)} attempts` : derived,
    },
    { id: 'reconnects', label: 'Reconnects', value: count(h.reconnects), sub: h.reconnects === null ? missing : undefined },
    {
      id: 'connect-failures',
      label: 'Connect failures',
      value: count(h.connectFailures),
      sub: h.connectFailures === null ? missing : undefined,
      tone: h.connectFailures ? 'bad' : '',
    },
    { id: 'disconnects', label: 'Disconnects', value: count(h.disconnects), sub: derived, tone: h.disconnects ? 'warn' : '' },
    { id: 'gave-up', label: 'Gave up', value: count(h.gaveUp), sub: h.gaveUp === null ? missing : h.gaveUp ? 'ran out of reconnect attempts' : undefined, tone: h.gaveUp ? 'bad' : '' },
    {
      id: 'sent',
      label: 'Messages sent',
      value: count(h.sent),
      sub: h.sentParts ? `${fmtInt(h.sentParts.heartbeat)} heartbeat · ${fmtInt(h.sentParts.status)} status${h.sentParts.ping ? ` · ${fmtInt(h.sentParts.ping)} pings` : ''}` : derived,
    },
    { id: 'received', label: 'Messages received', value: count(h.received), sub: derived },
    {
      id: 'bytes',
      label: 'Bytes sent',
      value: h.bytesSent === null ? '—' : fmtBytes(h.bytesSent),
      sub: h.bytesReceived === null ? (derived ?? missing) : `${fmtBytes(h.bytesReceived)} received`,
    },
    {
      id: 'generator-saturated',
      label: 'Generator saturated',
      value: h.generatorSaturated ? 'Yes' : 'No',
      sub: h.generatorSaturated ? 'figures may measure Fleetsim' : 'the generator kept up',
      tone: h.generatorSaturated ? 'bad' : 'ok',
    },
  ];
  return html`<div class="cards">${cards.map(
    (c) => html`<div class="card ${c.tone ?? ''}" data-figure="${c.id}"><div class="label">${c.label}</div><div class="value" title="${c.value}">${c.value}</div>${c.sub ? html`<div class="sub">${c.sub}</div>` : ''}</div>`,
  )}</div>`;
}
