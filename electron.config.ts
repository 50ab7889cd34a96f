// Build configuration for every bundle Fleetsim ships. `scripts/build.ts` reads it.
// The desktop bundles (main, preload, renderer) and electron-builder packaging join this list
// with the desktop app; the Node bundles below are what the CLI, the device hosts and the
// embedded target run from.

export type BundleTarget = 'node' | 'electron-main' | 'electron-preload' | 'browser';

export interface BundleSpec {
  /** Short name, also used by launchers to find the output (`dist/<name>.mjs`). */
  name: string;
  entry: string;
  outfile: string;
  target: BundleTarget;
  format: 'esm' | 'cjs';
}

export const bundles: BundleSpec[] = [
  { name: 'cli', entry: 'src/cli/main.ts', outfile: 'dist/cli.mjs', target: 'node', format: 'esm' },
  { name: 'host', entry: 'src/engine/host-main.ts', outfile: 'dist/host.mjs', target: 'node', format: 'esm' },
  { name: 'target', entry: 'src/targets/target-main.ts', outfile: 'dist/target.mjs', target: 'node', format: 'esm' },
  // The UI: React + zustand, one script and one stylesheet (CSS imported from TS lands in app.css).
  { name: 'renderer', entry: 'renderer/main.tsx', outfile: 'dist/renderer/app.js', target: 'browser', format: 'esm' },
];

/** Files copied as they are. */
export const staticFiles: Array<{ from: string; to: string }> = [{ from: 'renderer/index.html', to: 'dist/renderer/index.html' }];

export default { bundles, staticFiles };
