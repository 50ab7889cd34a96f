// One form field bound to a path of the scenario draft, with its validation problems.
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { Problem } from '../lib/paths.ts';
import { getIn, isPathPrefix } from '../lib/paths.ts';
import { fromOption, listText, parseList, selectOptions, type FieldSpec } from '../state/editor-model.ts';
import { editorStore, useEditor } from '../state/editor-store.ts';

const NO_PROBLEMS: Problem[] = [];

/** Problems shown under a field (or a card): the message, prefixed by the rest of the path when deeper. */
export function Problems({ at }: { at: string }) {
  const problems = useEditor((s) => s.problemsByPath[at] ?? NO_PROBLEMS);
  if (problems.length === 0) return null;
  return (
    <ul className="problems">
      {problems.map((p, i) => {
        const rest = p.path === at ? '' : isPathPrefix(at, p.path) && at ? p.path.slice(at.length).replace(/^\./, '') : p.path;
        return (
          <li key={i} className="problem" data-testid="scenario-problem" data-path={p.path} title={p.text}>
            {rest ? <code>{rest}</code> : null}
            {rest ? ': ' : null}
            {p.message}
          </li>
        );
      })}
    </ul>
  );
}

function toText(v: unknown, kind?: FieldSpec['kind']): string {
  if (v === undefined || v === null) return '';
  if (kind === 'list') return listText(v) ?? toText(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Text typed into a field → the value stored in the draft (kept as text when it is not valid, so validation says why). */
export function fromText(kind: FieldSpec['kind'], text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  switch (kind) {
    case 'int':
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : text;
    case 'hosts':
      return t === 'auto' ? 'auto' : /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : text;
    case 'list':
      return parseList(t);
    default:
      return text;
  }
}

interface FieldProps {
  path: string;
  spec: FieldSpec;
  disabled?: boolean;
  /** Shown instead of the spec's placeholder. */
  placeholder?: string;
  /** Extra control after the input (e.g. a live Apply button). */
  after?: ReactNode;
  /** Hide the label (table layouts). */
  bare?: boolean;
  /** The caller shows this field's problems (e.g. across a whole table row). */
  hideProblems?: boolean;
  className?: string;
}

/** True when the typed text already stands for `raw` (lists are new arrays on every keystroke, so by content). */
function showsValue(kind: FieldSpec['kind'], text: string, raw: unknown): boolean {
  const typed = fromText(kind, text);
  if (Array.isArray(typed) && Array.isArray(raw)) return typed.length === raw.length && typed.every((v, i) => v === raw[i]);
  return Object.is(typed, raw);
}

export function Field({ path, spec, disabled, placeholder, after, bare, hideProblems, className }: FieldProps) {
  const id = useId();
  const raw = useEditor((s) => getIn(s.draft, path));
  const hasProblem = useEditor((s) => (s.problemsByPath[path]?.length ?? 0) > 0);
  const [text, setText] = useState(() => toText(raw, spec.kind));
  // Follow the draft when it changes from elsewhere (preset, file, run) — not while typing (a list's
  // separator just typed must stay).
  useEffect(() => {
    setText((cur) => (showsValue(spec.kind, cur, raw) || (cur.trim() === '' && raw === undefined) ? cur : toText(raw, spec.kind)));
  }, [raw, spec.kind]);
  const tip = spec.tip ?? spec.hint;

  let control: ReactNode;
  if (spec.kind === 'bool') {
    // Written as a boolean; a non-boolean from a file shows unchecked, and validation says why.
    control = (
      <label className={`bool-control${hasProblem ? ' invalid' : ''}`}>
        <input id={id} type="checkbox" checked={raw === true} disabled={disabled} data-path={path} onChange={(e) => editorStore.setField(path, e.target.checked)} />
        <span>{raw === true ? 'on' : 'off'}</span>
      </label>
    );
  } else if (spec.kind === 'select') {
    const options = selectOptions(spec);
    const value = raw === undefined ? options[0] : raw === 4 && path.endsWith('mqtt.version') ? '3.1.1' : toText(raw);
    const extra = value !== undefined && !options.includes(value) ? [value] : [];
    control = (
      <select id={id} value={value} disabled={disabled} data-path={path} title={spec.tip} className={hasProblem ? 'invalid' : undefined} onChange={(e) => editorStore.setField(path, fromOption(spec, e.target.value))}>
        {[...options, ...extra].map((o) => (
          <option key={o} value={o}>
            {o === '' && spec.emptyLabel !== undefined ? spec.emptyLabel : o}
          </option>
        ))}
      </select>
    );
  } else {
    control = (
      <input
        id={id}
        type="text"
        spellCheck={false}
        autoComplete="off"
        inputMode={spec.kind === 'int' || spec.kind === 'number' ? 'decimal' : undefined}
        className={`${hasProblem ? 'invalid' : ''}${spec.kind !== 'text' && spec.kind !== 'list' ? ' num' : ''}`}
        value={text}
        placeholder={placeholder ?? spec.placeholder}
        disabled={disabled}
        data-path={path}
        title={spec.tip}
        onChange={(e) => {
          setText(e.target.value);
          editorStore.setField(path, fromText(spec.kind, e.target.value));
        }}
      />
    );
  }
  return (
    <div className={`field${spec.wide ? ' wide' : ''}${className ? ` ${className}` : ''}`}>
      {bare ? null : (
        <label htmlFor={id} title={tip}>
          {spec.label}
          {spec.hint ? <span className="hint">{spec.hint}</span> : null}
        </label>
      )}
      <div className="control">
        {control}
        {after}
      </div>
      {hideProblems ? null : <Problems at={path} />}
    </div>
  );
}
