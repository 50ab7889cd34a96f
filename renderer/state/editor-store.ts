// The scenario being edited: a plain object as a file would contain it (unknown fields are
// kept), validated live with the contract's validateScenario on every change.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { PresetInfo } from '../../src/contract/fleet-api.ts';
import { defaultCapacityBlock } from '../../src/contract/capacity-options.ts';
import { validateScenario } from '../../src/contract/validate.ts';
import { assignProblems, type Problem } from '../lib/paths.ts';
import { draftGroups, editorFieldPaths, newGroup, setDraftField, type Draft } from './editor-model.ts';

export type DraftSource =
  | { kind: 'preset'; name: string }
  | { kind: 'file'; name: string }
  | { kind: 'run' }
  /** A past run's scenario ("Run again"), by run id. */
  | { kind: 'recorded'; id: string }
  | { kind: 'empty' };

/** A plain run, or a capacity search (steps until the knee) with the draft's `capacity:` settings. */
export type RunMode = 'run' | 'capacity';

export interface EditorState {
  mode: RunMode;
  presets: PresetInfo[];
  /** The preset select's value. */
  presetName: string;
  source: DraftSource;
  draft: Draft;
  /** Edited since it was loaded. */
  dirty: boolean;
  /** validateScenario's problems for the draft, one line each. */
  problems: string[];
  /** The same problems, by the form field that shows them ("" = the scenario as a whole). */
  problemsByPath: Record<string, Problem[]>;
  /** Why the last file could not be read. */
  fileError: string | null;
  /** Why the last start was refused (StartResult problems). */
  startProblems: string[];
}

function validated(draft: Draft, mode: RunMode): Pick<EditorState, 'draft' | 'problems' | 'problemsByPath'> {
  const v = validateScenario(draft);
  const problems = v.ok ? [] : v.problems;
  return { draft, problems, problemsByPath: assignProblems(problems, editorFieldPaths(draft, { capacity: mode === 'capacity' })) };
}

/** The draft with every capacity setting it lacks set to its default (what `fleetsim capacity` would use). */
function withCapacityDefaults(draft: Draft): Draft {
  const block = typeof draft.capacity === 'object' && draft.capacity !== null && !Array.isArray(draft.capacity) ? (draft.capacity as Record<string, unknown>) : {};
  return { ...draft, capacity: { ...defaultCapacityBlock(), ...block } };
}

export interface EditorStore extends StoreApi<EditorState> {
  setPresets(presets: PresetInfo[]): void;
  choosePreset(name: string): void;
  loadDraft(draft: Draft, source: DraftSource): void;
  setField(path: string, value: unknown): void;
  addGroup(): void;
  removeGroup(index: number): void;
  setFileError(error: string | null): void;
  setStartProblems(problems: string[]): void;
  /** Capacity mode fills in the settings the draft lacks with their defaults. */
  setMode(mode: RunMode): void;
}

export function createEditorStore(): EditorStore {
  const store = createStore<EditorState>()(() => ({
    mode: 'run',
    presets: [],
    presetName: '',
    source: { kind: 'empty' },
    dirty: false,
    fileError: null,
    startProblems: [],
    draft: {},
    problems: [],
    problemsByPath: {},
  }));

  const loadDraft = (draft: Draft, source: DraftSource) => {
    // A running scenario named like a preset: show that preset in the picker.
    const match = source.kind === 'run' ? store.getState().presets.find((p) => p.name === draft.name) : undefined;
    const mode = store.getState().mode;
    const loaded = structuredClone(draft);
    store.setState({ ...validated(mode === 'capacity' ? withCapacityDefaults(loaded) : loaded, mode), source, dirty: false, fileError: null, startProblems: [], ...(match ? { presetName: match.name } : {}) });
  };

  const choosePreset = (name: string) => {
    const p = store.getState().presets.find((x) => x.name === name);
    if (!p) return;
    store.setState({ presetName: name });
    loadDraft(p.scenario as Draft, { kind: 'preset', name });
  };

  const edit = (f: (d: Draft) => Draft) => store.setState((s) => ({ ...validated(f(s.draft), s.mode), dirty: true, startProblems: [] }));

  return Object.assign(store, {
    setPresets(presets: PresetInfo[]) {
      const s = store.getState();
      store.setState({ presets, presetName: s.presetName || (presets.find((p) => p.name === 'demo') ?? presets[0])?.name || '' });
    },
    choosePreset,
    loadDraft,
    setField: (path: string, value: unknown) => edit((d) => setDraftField(d, path, value)),
    addGroup: () => edit((d) => ({ ...d, groups: [...draftGroups(d), newGroup(d)] })),
    removeGroup: (index: number) => edit((d) => ({ ...d, groups: draftGroups(d).filter((_, i) => i !== index) })),
    setFileError: (fileError: string | null) => store.setState({ fileError }),
    setStartProblems: (startProblems: string[]) => store.setState({ startProblems }),
    setMode: (mode: RunMode) =>
      store.setState((s) => ({ mode, ...validated(mode === 'capacity' ? withCapacityDefaults(s.draft) : s.draft, mode), startProblems: [] })),
  });
}

export const editorStore = createEditorStore();

export function useEditor<T>(selector: (s: EditorState) => T): T {
  return useStore(editorStore, selector);
}
