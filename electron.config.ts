// Build configuration for every bundle Fleetsim ships. `scripts/build.ts` reads it.
// The Node bundles are what the CLI, the device hosts and the embedded target run from; the
// desktop app adds its main process, preload and renderer, and `packaging` below configures
// electron-builder.
import type { Configuration } from 'electron-builder';

export type BundleTarget = 'node' | 'electron-main' | 'electron-preload' | 'browser';

export interface BundleSpec {
  /** Short name, also used by launchers to find the output (`dist/<name>.mjs`). */
  name: string;
  entry: string;
  outfile: string;
  target: BundleTarget;
  format: 'esm' | 'cjs';
  /**
   * 'external' (the default): dependencies are resolved from node_modules at run time (the CLI,
   * which npm installs with its dependencies). 'bundled': every dependency is bundled in, so the
   * bundle runs from a directory with no node_modules (an installed npm package, a packaged app
   * with the bundle unpacked from app.asar); only Node built-ins (and 'electron') stay outside.
   */
  dependencies?: 'external' | 'bundled';
  /**
   * Code split: what the entry loads with `await import(...)` becomes chunk files in
   * dist/chunks/, read only when first used. A device host is a process per ~15k devices: it
   * must not pay at startup for MQTT.js, ws or @peculiar/x509 when its scenario never uses them.
   */
  splitting?: boolean;
  /**
   * Packages replaced in the bundle. The device host swaps mqtt-packet's and MQTT.js's stream
   * polyfill (readable-stream) and `debug` for Node's stream and a no-op: they cost every host
   * ~10 MB RSS that Node's own stream module does not.
   */
  alias?: Record<string, string>;
}

export const bundles: BundleSpec[] = [
  { name: 'cli', entry: 'src/cli/main.ts', outfile: 'dist/cli.mjs', target: 'node', format: 'esm' },
  {
    name: 'host',
    entry: 'src/engine/host-main.ts',
    outfile: 'dist/host.mjs',
    target: 'node',
    format: 'esm',
    dependencies: 'bundled',
    splitting: true,
    alias: { 'readable-stream': 'node:stream', debug: './scripts/shims/quiet-debug.cjs' },
  },
  { name: 'target', entry: 'src/targets/target-main.ts', outfile: 'dist/target.mjs', target: 'node', format: 'esm', dependencies: 'bundled', splitting: true },
  // The desktop shell. Main is ESM, with its dependencies in (the packaged app ships no
  // node_modules); the preload is CommonJS because a sandboxed preload cannot be an ES module
  // (it may only require 'electron', and everything else is bundled in).
  { name: 'main', entry: 'src/main/main.ts', outfile: 'dist/main.mjs', target: 'electron-main', format: 'esm', dependencies: 'bundled' },
  { name: 'preload', entry: 'src/preload/preload.ts', outfile: 'dist/preload.cjs', target: 'electron-preload', format: 'cjs' },
  // The UI: React + zustand, one script and one stylesheet (CSS imported from TS lands in app.css).
  { name: 'renderer', entry: 'renderer/main.tsx', outfile: 'dist/renderer/app.js', target: 'browser', format: 'esm' },
];

/** Files copied as they are. */
export const staticFiles: Array<{ from: string; to: string }> = [{ from: 'renderer/index.html', to: 'dist/renderer/index.html' }];

/**
 * The desktop app's files (`files`, `asarUnpack` below), as paths inside the app; the launchers
 * resolve the same paths. Only the bundles ship: every one has its dependencies bundled in
 * (the CLI, which the app does not run, is left out), so the app has no node_modules at all.
 */
export const APP_FILES = {
  main: 'dist/main.mjs',
  preload: 'dist/preload.cjs',
  renderer: 'dist/renderer',
  /** Started with utilityProcess.fork: unpacked from app.asar, see `packaging` below. */
  children: ['dist/host.mjs', 'dist/target.mjs'],
  chunks: 'dist/chunks',
} as const;

/**
 * electron-builder configuration (`npm run dist`, see scripts/start.ts --dist), checked against
 * electron-builder's own `Configuration` type.
 *
 * Icons: assets/icon.svg is the source; `npm run icons` renders the committed PNGs (see
 * scripts/icons.ts): assets/icon.png (1024×1024), from which electron-builder derives the macOS
 * .icns and the Windows .ico, and the Linux icon set in assets/icons/.
 *
 * asar: the main process, preload and renderer are read from app.asar. The device host and
 * target bundles, with the chunks they load lazily, are unpacked next to it
 * (resources/app.asar.unpacked/dist/…): they are started with utilityProcess.fork, which has
 * failed to load scripts from inside an asar in some Electron versions, and as plain files they
 * load the same way in every version. They are self-contained (no node_modules to find).
 */
export const packaging = {
  appId: 'dev.fleetsim.app',
  productName: 'Fleetsim',
  // The executable's file name, lower case like the CLI's (the product name would give "Fleetsim").
  executableName: 'fleetsim',
  directories: { output: 'release', buildResources: 'assets' },
  /** Written into the packaged package.json: the app entry (package.json itself has no "main"). */
  extraMetadata: { main: APP_FILES.main },
  files: [
    `${APP_FILES.main}`,
    `${APP_FILES.preload}`,
    `${APP_FILES.renderer}/**/*`,
    ...APP_FILES.children,
    `${APP_FILES.chunks}/**/*`,
    '!**/*.map',
    // Production dependencies are bundled into the files above; electron-builder would copy
    // them again from node_modules.
    '!**/node_modules/**/*',
  ],
  asar: true,
  asarUnpack: [...APP_FILES.children, `${APP_FILES.chunks}/**/*`],
  // Nothing native to rebuild, and node_modules is not shipped.
  npmRebuild: false,
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Development',
    icon: 'assets/icons',
    maintainer: 'Fleetsim contributors',
    synopsis: 'Simulate IoT device fleets over MQTT and WebSocket',
  },
  mac: { target: ['dmg'], category: 'public.app-category.developer-tools', icon: 'assets/icon.png', hardenedRuntime: true },
  win: { target: ['nsis'], icon: 'assets/icon.png' },
  nsis: { oneClick: false, allowToChangeInstallationDirectory: true },
  /**
   * Fuses (Electron security checklist item 19), flipped in the Electron binary before it is
   * signed. Off: ELECTRON_RUN_AS_NODE (the app starts its hosts and target with
   * utilityProcess.fork, never child_process on its own binary), the NODE_OPTIONS variable and
   * the --inspect family (hosts get V8 flags through utilityProcess execArgv only; an --inspect
   * in FLEETSIM_HOST_NODE_ARGS is ignored by a packaged app), cookie encryption stays as
   * Electron sets it. On: the app loads only from app.asar, whose integrity is checked (macOS,
   * Windows). The unpacked host and target bundles are outside that check: they sit in the
   * install directory, which only an administrator (or the user, for a per-user install) can
   * write. grantFileProtocolExtraPrivileges off: the window uses app://, never file://.
   */
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    grantFileProtocolExtraPrivileges: false,
  },
} satisfies Configuration;

export default { bundles, staticFiles };
