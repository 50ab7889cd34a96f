// The live dashboard: the scenario editor beside the run's figures, groups, storms, charts, devices,
// hosts and events.
import { AttachPanel } from './AttachPanel.tsx';
import { CapacityPanel } from './CapacityPanel.tsx';
import { CausesCard } from './CausesCard.tsx';
import { Charts } from './Charts.tsx';
import { DeviceDrawer } from './DeviceDrawer.tsx';
import { DevicesTable } from './DevicesTable.tsx';
import { EventFeed } from './EventFeed.tsx';
import { useFleet } from '../state/fleet-store.ts';
import { HostsPanel } from './HostsPanel.tsx';
import { LiveCounters } from './LiveCounters.tsx';
import { LiveGroupTable } from './GroupTable.tsx';
import { RecordingStrip } from './RecordingStrip.tsx';
import { ScenarioEditor } from './ScenarioEditor.tsx';
import { StormPanel } from './StormPanel.tsx';

export function LiveView() {
  // Attached to a distributed run: no local scenario or storms (they belong to each shard).
  const attached = useFleet((s) => s.attach !== null);
  return (
    <div className="body">
      <aside className="sidebar">
        <AttachPanel />
        {attached ? null : <ScenarioEditor />}
      </aside>
      <main className="main">
        <RecordingStrip />
        <LiveCounters />
        <LiveGroupTable />
        <CausesCard />
        {attached ? null : <CapacityPanel />}
        {attached ? null : <StormPanel />}
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
