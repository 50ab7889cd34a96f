// The live dashboard: the scenario editor beside the run's figures, storms, charts, devices,
// hosts and events.
import { Charts } from './Charts.tsx';
import { DeviceDrawer } from './DeviceDrawer.tsx';
import { DevicesTable } from './DevicesTable.tsx';
import { EventFeed } from './EventFeed.tsx';
import { HostsPanel } from './HostsPanel.tsx';
import { LiveCounters } from './LiveCounters.tsx';
import { RecordingStrip } from './RecordingStrip.tsx';
import { ScenarioEditor } from './ScenarioEditor.tsx';
import { StormPanel } from './StormPanel.tsx';

export function LiveView() {
  return (
    <div className="body">
      <aside className="sidebar">
        <ScenarioEditor />
      </aside>
      <main className="main">
        <RecordingStrip />
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
      <DeviceDrawer />
    </div>
  );
}
