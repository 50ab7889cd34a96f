// The scenario being edited: a plain object as a file would contain it (unknown fields are
// kept), validated live with the contract's validateScenario on every change.
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { PresetInfo } from '../../src/contract/fleet-api.ts';
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

export interface EditorState {
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

function validated(draft: Draft): Pick<EditorState, 'draft' | 'problems' | 'problemsByPath'> {
  const v = validateScenario(draft);
  const problems = v.ok ? [] : v.problems;
  return { draft, problems, problemsByPath: assignProblems(problems, editorFieldPaths(draft)) };
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
}

export function createEditorStore(): EditorStore {
  const store = createStore<EditorState>()(() => ({
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
    store.setState({ ...validated(structuredClone(draft)), source, dirty: false, fileError: null, startProblems: [], ...(match ? { presetName: match.name } : {}) });
  };

  const choosePreset = (name: string) => {
    const p = store.getState().presets.find((x) => x.name === name);
    if (!p) return;
    store.setState({ presetName: name });
    loadDraft(p.scenario as Draft, { kind: 'preset', name });
  };

  const edit = (f: (d: Draft) => Draft) => store.setState((s) => ({ ...validated(f(s.draft)), dirty: true, startProblems: [] }));

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
  });
}

export const editorStore = createEditorStore();

export function useEditor<T>(selector: (s: EditorState) => T): T {
  return useStore(editorStore, selector);
}
