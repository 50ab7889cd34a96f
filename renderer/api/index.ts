// The one place that decides how the UI reaches the fleet: the Electron preload's
// `window.fleet` when present, else the browser-mode WebSocket bridge.
import type { FleetApi } from '../../src/contract/fleet-api.ts';
import { connectionStore } from '../state/connection-store.ts';
import { BridgeClient, bridgeUrl, type SocketFactory } from './bridge-client.ts';

const browserSocket: SocketFactory = (url, h) => {
  const ws = new WebSocket(url);
  ws.onopen = () => h.open();
  ws.onmessage = (e: MessageEvent) => {
    if (typeof e.data === 'string') h.message(e.data);
  };
  ws.onclose = (e: CloseEvent) => h.close(e.code, e.reason);
  return {
    send: (data) => ws.send(data),
    close: () => ws.close(),
  };
};

/** The bridge would not open: is it the server that is gone, or did it refuse us? */
async function diagnose(): Promise<string | null> {
  if (!new URLSearchParams(window.location.search).get('token')) return 'refused: the page URL has no ?token=';
  try {
    await fetch(window.location.pathname, { method: 'GET', cache: 'no-store' });
  } catch {
    return null; // unreachable: keep reconnecting
  }
  return 'refused by the server: the token in the page URL is wrong or expired';
}

let api: FleetApi | null = null;

export function getFleetApi(): FleetApi {
  if (api) return api;
  if (window.fleet) {
    api = window.fleet;
    connectionStore.setState({ mode: 'ipc', phase: 'connected', attempt: 0, retryAt: null, lastError: null });
  } else {
    const client = new BridgeClient(bridgeUrl(window.location), browserSocket, { diagnose });
    client.onConnection((c) => connectionStore.setState({ mode: 'bridge', ...c }));
    api = client;
  }
  return api;
}
