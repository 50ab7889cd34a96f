// Ambient declarations for the renderer bundle.
import type { FleetApi } from '../src/contract/fleet-api.ts';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in browser mode. */
    fleet?: FleetApi;
  }
}
