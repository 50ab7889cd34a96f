// Runs the built preload (dist/preload.cjs) the way a sandboxed renderer does: CommonJS, with
// only 'electron' to require, against a recording ipcRenderer and contextBridge.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import vm from 'node:vm';

export const PRELOAD_BUNDLE = 'dist/preload.cjs';

type Listener = (...args: unknown[]) => void;

export function loadPreload() {
  assert.ok(existsSync(PRELOAD_BUNDLE), `${PRELOAD_BUNDLE} is missing: run npm run build`);
  const exposed: Array<[string, Record<string, unknown>]> = [];
  const invoked: Array<[string, unknown[]]> = [];
  const listeners = new Map<string, Set<Listener>>();
  const ipcRenderer = {
    invoke: (channel: string, ...args: unknown[]) => {
      invoked.push([channel, args]);
      if (args[0] === 'fail') return Promise.reject(new Error(`Error invoking remote method '${channel}': Error: ramp: expected connects per second, 0 or more`));
      return Promise.resolve({ channel });
    },
    on: (channel: string, l: Listener) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
      return ipcRenderer;
    },
    removeListener: (channel: string, l: Listener) => {
      listeners.get(channel)?.delete(l);
      return ipcRenderer;
    },
    send: () => assert.fail('the preload must not use ipcRenderer.send'),
    sendSync: () => assert.fail('the preload must not use ipcRenderer.sendSync'),
  };
  const electron = { contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.push([key, api]) }, ipcRenderer };
  const required: string[] = [];
  const sandboxRequire = (id: string) => {
    required.push(id);
    if (id === 'electron') return electron;
    throw new Error(`module not found: ${id} (a sandboxed preload can only require 'electron')`);
  };
  const module = { exports: {} };
  vm.runInNewContext(readFileSync(PRELOAD_BUNDLE, 'utf8'), { require: sandboxRequire, module, exports: module.exports }, { filename: PRELOAD_BUNDLE });
  return { exposed, invoked, listeners, ipcRenderer, required };
}
