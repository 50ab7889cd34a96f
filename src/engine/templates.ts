// Client ids, topics and payloads from templates: {id}, {index}, {group}, {room}, {seq}, {ts}.

export interface TemplateVars {
  id?: string;
  index?: number;
  group?: string;
  room?: string;
  seq?: number;
  ts?: number;
}

const PLACEHOLDER = /\{(id|index|group|room|seq|ts)\}/g;

export function render(template: string, vars: TemplateVars): string {
  if (!template.includes('{')) return template;
  return template.replace(PLACEHOLDER, (whole, key: keyof TemplateVars) => {
    const v = vars[key];
    return v === undefined ? whole : String(v);
  });
}

export function hasPerMessageFields(template: string): boolean {
  return template.includes('{seq}') || template.includes('{ts}');
}

/** Pads `text` with "x" up to `bytes` (never truncates). */
export function padTo(text: string, bytes: number): string {
  const len = Buffer.byteLength(text);
  return len >= bytes ? text : text + 'x'.repeat(bytes - len);
}

export function roomOf(index: number, roomSize: number): string {
  return `room-${Math.floor(index / roomSize)}`;
}
