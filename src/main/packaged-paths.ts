// Where the packaged app keeps what the operating system, not Electron's asar reader, must open.
// electron-builder's asarUnpack moves files out of resources/app.asar into
// resources/app.asar.unpacked, at the same relative path (see `packaging` in electron.config.ts).

const IN_ASAR = /([\\/])app\.asar([\\/])/;

/**
 * The unpacked copy of a file inside app.asar (`…/resources/app.asar/dist/host.mjs` →
 * `…/resources/app.asar.unpacked/dist/host.mjs`); any other path, as it is. The device host and
 * target are forked from there: utilityProcess.fork of a script inside an asar has failed in
 * some Electron versions, a plain file loads in all of them.
 */
export function unpackedPath(path: string): string {
  return path.replace(IN_ASAR, '$1app.asar.unpacked$2');
}
