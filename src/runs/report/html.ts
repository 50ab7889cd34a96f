// HTML building for the report: a tagged template that escapes every interpolated value unless
// it is markup made by `html` itself, so user text (scenario names, reasons, device ids, event
// messages) can only ever come out as text.

/** Markup that is already safe to emit as is. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function emit(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(emit).join('');
  return escapeHtml(String(value));
}

/** `html\`<td>${name}</td>\``: strings are escaped, Html values and arrays of them are kept. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += emit(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Markup made elsewhere in this module's callers (e.g. generated SVG); never pass user text. */
export function raw(markup: string): Html {
  return new Html(markup);
}

/** Joins pieces of markup. */
export function join(parts: readonly HtmlValue[], separator: HtmlValue = ''): Html {
  const sep = emit(separator);
  return new Html(parts.map(emit).filter((p) => p !== '').join(sep));
}
