// Message bodies. Without a template a group's payload is one shared buffer of the configured
// size, so the hot path allocates nothing; templates are rendered per message.
import type { DeviceGroup, MessageTimer } from '../../contract/scenario.ts';
import type { MessageKind } from './adapter.ts';
import { hasPerMessageFields, padTo, render, type TemplateVars } from '../../shared/templates.ts';

export class PayloadSource {
  private readonly shared: Buffer | null;

  constructor(private readonly timer: MessageTimer) {
    this.shared = timer.payload === undefined ? Buffer.alloc(timer.bytes, 'x') : null;
  }

  get perMessage(): boolean {
    return this.timer.payload !== undefined && hasPerMessageFields(this.timer.payload);
  }

  body(vars: TemplateVars): Buffer | string {
    if (this.shared) return this.shared;
    return padTo(render(this.timer.payload!, vars), this.timer.bytes);
  }
}

/** One PayloadSource per enabled message timer of the group. */
export function buildPayloads(group: DeviceGroup): Partial<Record<MessageKind, PayloadSource>> {
  const out: Partial<Record<MessageKind, PayloadSource>> = {};
  if (group.timers.heartbeat) out.heartbeat = new PayloadSource(group.timers.heartbeat);
  if (group.timers.status) out.status = new PayloadSource(group.timers.status);
  return out;
}
