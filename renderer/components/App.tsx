import { ScenarioEditor } from './ScenarioEditor.tsx';
import { TopBar } from './TopBar.tsx';
import { LiveCounters } from './LiveCounters.tsx';
import { Charts } from './Charts.tsx';
import { HostsPanel } from './HostsPanel.tsx';
import { DevicesTable } from './DevicesTable.tsx';
import { DeviceDrawer } from './DeviceDrawer.tsx';
import { EventFeed } from './EventFeed.tsx';
import { StormPanel } from './StormPanel.tsx';

export function App() {
  return (
    <div className="app">
      <TopBar />
      <div className="body">
        <aside className="sidebar">
          <ScenarioEditor />
        </aside>
        <main className="main">
          <LiveCounters />
          <StormPanel />
          <Charts />
          <div className="lower">
            <DevicesTable />
            <div className="side-stack">
              <HostsPanel />
              <EventFeed />
            </div>
          </div>
        </main>
      </div>
      <DeviceDrawer />
    </div>
  );
}
