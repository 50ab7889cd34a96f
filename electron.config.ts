// Build configuration for every bundle Fleetsim ships. `scripts/build.ts` reads it.
// The Node bundles are what the CLI, the device hosts and the embedded target run from; the
// desktop app adds its main process, preload and renderer, and `packaging` below configures
// electron-builder.

export type BundleTarget = 'node' | 'electron-main' | 'electron-preload' | 'browser';

export interface BundleSpec {
  /** Short name, also used by launchers to find the output (`dist/<name>.mjs`). */
  name: string;
  entry: string;
  outfile: string;
  target: BundleTarget;
  format: 'esm' | 'cjs';
  /**
   * Dependencies bundled in (with what they import), replacing the packages named in `alias`;
   * Node bundles keep every other dependency external. The device host inlines mqtt-packet: a
   * host is a process per ~15k devices, and mqtt-packet's stream polyfill (readable-stream) and
   * `debug` cost every host ~10 MB RSS that Node's own stream module does not.
   */
  inline?: { packages: string[]; alias: Record<string, string> };
}

export const bundles: BundleSpec[] = [
  { name: 'cli', entry: 'src/cli/main.ts', outfile: 'dist/cli.mjs', target: 'node', format: 'esm' },
  {
    name: 'host',
    entry: 'src/engine/host-main.ts',
    outfile: 'dist/host.mjs',
    target: 'node',
    format: 'esm',
    inline: { packages: ['mqtt-packet'], alias: { 'readable-stream': 'node:stream', debug: './scripts/shims/quiet-debug.cjs' } },
  },
  { name: 'target', entry: 'src/targets/target-main.ts', outfile: 'dist/target.mjs', target: 'node', format: 'esm' },
  // The desktop shell. Main is ESM; the preload is CommonJS because a sandboxed preload cannot
  // be an ES module (it may only require 'electron', and everything else is bundled in).
  { name: 'main', entry: 'src/main/main.ts', outfile: 'dist/main.mjs', target: 'electron-main', format: 'esm' },
  { name: 'preload', entry: 'src/preload/preload.ts', outfile: 'dist/preload.cjs', target: 'electron-preload', format: 'cjs' },
  // The UI: React + zustand, one script and one stylesheet (CSS imported from TS lands in app.css).
  { name: 'renderer', entry: 'renderer/main.tsx', outfile: 'dist/renderer/app.js', target: 'browser', format: 'esm' },
];

/** Files copied as they are. */
export const staticFiles: Array<{ from: string; to: string }> = [{ from: 'renderer/index.html', to: 'dist/renderer/index.html' }];

/**
 * The part of electron-builder's `Configuration` that Fleetsim uses, declared here so the
 * packaging config is type-checked without installing electron-builder (a large dev dependency
 * that downloads Electron and packaging tools, which this project's CI cannot do). Field names
 * and meanings are electron-builder's; with electron-builder installed, `packaging` can be
 * checked against the real type by writing `satisfies import('electron-builder').Configuration`.
 */
export interface PackagingConfig {
  appId: string;
  productName: string;
  directories: { output: string; buildResources: string };
  /** Written into the packaged package.json: the app entry (package.json itself has no "main"). */
  extraMetadata: { main: string };
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  linux: { target: Array<'AppImage' | 'deb'>; category: string; icon: string; maintainer: string; synopsis?: string };
  mac: { target: Array<'dmg'>; category: string; icon: string; hardenedRuntime: boolean };
  win: { target: Array<'nsis'>; icon: string };
  nsis: { oneClick: boolean; allowToChangeInstallationDirectory: boolean };
  /** electron-builder's FuseOptionsV1: bits flipped in the Electron binary before it is signed. */
  electronFuses: {
    runAsNode: boolean;
    enableCookieEncryption?: boolean;
    enableNodeOptionsEnvironmentVariable: boolean;
    enableNodeCliInspectArguments: boolean;
    enableEmbeddedAsarIntegrityValidation: boolean;
    onlyLoadAppFromAsar: boolean;
    loadBrowserProcessSpecificV8Snapshot?: boolean;
    grantFileProtocolExtraPrivileges?: boolean;
  };
}

/**
 * electron-builder configuration (`npm run dist`, see scripts/start.ts --dist). Not runnable on
 * a machine that cannot download Electron.
 *
 * Icons: assets/icon.svg is the source. electron-builder takes assets/icon.png (1024×1024) from
 * buildResources and derives the .icns and .ico from it; render it once before packaging, e.g.
 * `rsvg-convert -w 1024 -h 1024 assets/icon.svg -o assets/icon.png` (or a headless Chromium
 * screenshot of the SVG at 1024×1024).
 *
 * asar: everything stays in app.asar, nothing is unpacked. The device host and target bundles
 * (dist/host.mjs, dist/target.mjs) are started with utilityProcess.fork, which runs Electron's
 * Node with its asar support, so it reads them and their node_modules from inside the archive
 * as the main process does (child_process would not: it is the OS that opens those files).
 * asarUnpack is for what the OS itself must open (native .node addons, executables started
 * with spawn); Fleetsim ships neither. To confirm on the first packaged build: if a host fails
 * to load from the archive, unpack `dist/{host,target}.mjs` together with `node_modules/**`.
 */
export const packaging: PackagingConfig = {
  appId: 'dev.fleetsim.app',
  productName: 'Fleetsim',
  directories: { output: 'release', buildResources: 'assets' },
  extraMetadata: { main: 'dist/main.mjs' },
  files: [
    'package.json',
    'dist/**/*',
    '!dist/**/*.map',
    'node_modules/**/*',
    // Bundled into dist/renderer/app.js already: no need to ship them again.
    '!node_modules/{react,react-dom,scheduler,zustand,uplot,@tanstack}/**',
  ],
  asar: true,
  asarUnpack: [],
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Development',
    icon: 'assets/icon.png',
    maintainer: 'Fleetsim',
    synopsis: 'Simulate IoT device fleets over MQTT and WebSocket',
  },
  mac: { target: ['dmg'], category: 'public.app-category.developer-tools', icon: 'assets/icon.png', hardenedRuntime: true },
  win: { target: ['nsis'], icon: 'assets/icon.png' },
  nsis: { oneClick: false, allowToChangeInstallationDirectory: true },
  /**
   * Fuses (Electron security checklist item 19). Off: ELECTRON_RUN_AS_NODE (the app starts its
   * hosts and target with utilityProcess.fork, never child_process on its own binary), the
   * NODE_OPTIONS variable and the --inspect family (hosts get V8 flags through utilityProcess
   * execArgv only; an --inspect in FLEETSIM_HOST_NODE_ARGS is ignored by a packaged app). On:
   * the app loads only from app.asar, whose integrity is checked (macOS, Windows) — everything
   * it runs or reads (main, preload, renderer, host and target bundles) is in the archive.
   * grantFileProtocolExtraPrivileges off: the window uses app://, never file://.
   */
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
};

export default { bundles, staticFiles };
