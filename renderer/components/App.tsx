// The app: the top bar over one of three views (live dashboard, recorded runs, settings).
import { useView } from '../state/view-store.ts';
import { LiveView } from './LiveView.tsx';
import { RunsView } from './RunsView.tsx';
import { SettingsPanel } from './SettingsPanel.tsx';
import { TopBar } from './TopBar.tsx';

export function App() {
  const view = useView((s) => s.view);
  return (
    <div className="app">
      <TopBar />
      {view === 'live' ? <LiveView /> : view === 'runs' ? <RunsView /> : <SettingsPanel />}
    </div>
  );
}
