// Import an exported run (.zip). The desktop app asks for the file with a dialog; in browser
// mode the file is on the machine that serves the page, so its path is typed in.
import { useConnection } from '../state/connection-store.ts';
import { problemsOfField } from '../state/runs-model.ts';
import { runsStore, useRuns } from '../state/runs-store.ts';

function ImportProblems({ problems }: { problems: string[] }) {
  if (problems.length === 0) return null;
  return (
    <ul className="problems" role="alert" data-testid="import-problems">
      {problems.map((p, i) => (
        <li key={i} className="problem" data-testid="import-problem">
          {p}
        </li>
      ))}
    </ul>
  );
}

export function ImportBox() {
  const browser = useConnection((c) => c.mode === 'bridge');
  const busy = useRuns((s) => s.busy);
  const path = useRuns((s) => s.importPath);
  const problems = useRuns((s) => s.importProblems);
  const { mine, others } = problemsOfField(problems, 'file');
  if (!browser) {
    return (
      <div className="import-box">
        <button type="button" className="btn" data-testid="import-button" disabled={busy !== null} onClick={() => void runsStore.importRun()}>
          {busy === 'import' ? 'Importing…' : 'Import .zip…'}
        </button>
        <ImportProblems problems={[...mine, ...others]} />
      </div>
    );
  }
  return (
    <form
      className="import-box"
      onSubmit={(e) => {
        e.preventDefault();
        void runsStore.importRun(path.trim());
      }}
    >
      <label className="import-label" htmlFor="import-path">
        Import an exported run <span className="muted">(a .zip on the machine running fleetsim serve)</span>
      </label>
      <div className="import-row">
        <input
          id="import-path"
          type="text"
          className={`mono${mine.length ? ' invalid' : ''}`}
          placeholder="/path/to/run.zip"
          spellCheck={false}
          autoComplete="off"
          value={path}
          data-testid="import-path"
          onChange={(e) => runsStore.setImportPath(e.target.value)}
        />
        <button type="submit" className="btn" data-testid="import-button" disabled={busy !== null || path.trim() === ''}>
          {busy === 'import' ? 'Importing…' : 'Import'}
        </button>
      </div>
      <ImportProblems problems={mine} />
      <ImportProblems problems={others} />
    </form>
  );
}
