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

/** A template cut at its placeholders: literal text at even positions, variable names at odd ones. */
type Compiled = string[];
/** Templates come from scenarios (a handful per run): each is cut once, not on every message. */
const compiled = new Map<string, Compiled>();

function compile(template: string): Compiled {
  let parts = compiled.get(template);
  if (!parts) {
    parts = template.split(PLACEHOLDER);
    if (compiled.size > 1000) compiled.clear(); // bounded, should templates ever be generated
    compiled.set(template, parts);
  }
  return parts;
}

export function render(template: string, vars: TemplateVars): string {
  if (!template.includes('{')) return template;
  const parts = compile(template);
  let out = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    const v = vars[parts[i] as keyof TemplateVars];
    out += (v === undefined ? `{${parts[i]}}` : String(v)) + parts[i + 1];
  }
  return out;
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
