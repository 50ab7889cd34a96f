// A stand-in for an unpacked Electron distribution (what electron-builder's `electronDist`
// names), for packaging tests on a machine that cannot download Electron. electron-builder
// copies it, renames the binary and writes resources/app.asar next to it; @electron/fuses flips
// bits in the binary's fuse wire. So the "binary" is a script that refuses to run, carrying a
// fuse wire laid out as Electron's: the sentinel, the wire version, its length, one byte a fuse.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** FuseV1Options in wire order, as @electron/fuses numbers them. */
export const FUSES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
] as const;
export type FuseName = (typeof FUSES)[number];
/** Electron's own defaults, before any flip. */
const ELECTRON_DEFAULTS: Record<FuseName, boolean> = {
  runAsNode: true,
  enableCookieEncryption: false,
  enableNodeOptionsEnvironmentVariable: true,
  enableNodeCliInspectArguments: true,
  enableEmbeddedAsarIntegrityValidation: false,
  onlyLoadAppFromAsar: false,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: true,
};

/** Writes the stand-in distribution into `dir` (Linux layout: `electron` at the top). */
export function writeStandInElectron(dir: string, version: string): void {
  mkdirSync(join(dir, 'resources'), { recursive: true });
  const wire = Buffer.from([1, FUSES.length, ...FUSES.map((f) => (ELECTRON_DEFAULTS[f] ? 0x31 : 0x30))]);
  const script = Buffer.concat([
    Buffer.from(`#!/bin/sh\n# Stand-in for the Electron ${version} binary; fuse wire: ${FUSE_SENTINEL}`),
    wire,
    Buffer.from('\necho "stand-in Electron: cannot run" >&2\nexit 1\n'),
  ]);
  writeFileSync(join(dir, 'electron'), script);
  chmodSync(join(dir, 'electron'), 0o755);
  writeFileSync(join(dir, 'version'), `${version}\n`);
  writeFileSync(join(dir, 'LICENSE'), 'stand-in\n');
  writeFileSync(join(dir, 'LICENSES.chromium.html'), '<!doctype html><title>stand-in</title>\n');
}

/** The fuses as set in a binary: true on, false off (a removed fuse is left out). */
export function readFuses(binary: string): Partial<Record<FuseName, boolean>> {
  const bytes = readFileSync(binary);
  const at = bytes.indexOf(FUSE_SENTINEL);
  if (at < 0) throw new Error(`${binary} has no fuse wire`);
  const wire = at + FUSE_SENTINEL.length;
  if (bytes[wire] !== 1) throw new Error(`${binary}: fuse wire version ${bytes[wire]}, expected 1`);
  const fuses: Partial<Record<FuseName, boolean>> = {};
  for (let i = 0; i < Math.min(bytes[wire + 1], FUSES.length); i++) {
    const state = bytes[wire + 2 + i];
    if (state === 0x30 || state === 0x31) fuses[FUSES[i]] = state === 0x31;
  }
  return fuses;
}
