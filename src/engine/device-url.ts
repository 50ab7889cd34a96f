// Which of its group's target URLs a device connects to.
import type { DeviceGroup } from '../contract/scenario.ts';

/** The group's url, or one of its urls spread by index; WebSocket devices spread by room, since a room's members must meet on one server. */
export function deviceUrl(g: DeviceGroup, index: number): string {
  if (!g.urls?.length) return g.url;
  const key = g.protocol === 'ws' ? Math.floor(index / g.ws.roomSize) : index;
  return key % (g.urls.length + 1) === 0 ? g.url : g.urls[(key % (g.urls.length + 1)) - 1];
}
