// Bundles every entry listed in electron.config.ts with esbuild. Dependencies stay external
// (resolved from node_modules at run time) unless a bundle has them bundled in (see
// BundleSpec.dependencies); code-split bundles put their lazily loaded parts in dist/chunks/.
import { build, type BuildOptions } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { basename, dirname, extname } from 'node:path';
import { bundles, staticFiles, type BundleSpec } from '../electron.config.ts';

/** Shared by every code-split bundle; emptied first so no chunk of an older build ships. */
const CHUNK_DIR = 'dist/chunks';

function optionsFor(b: BundleSpec): BuildOptions {
  const browser = b.target === 'browser';
  const bundled = browser || b.dependencies === 'bundled';
  // esbuild writes split output to a directory: the entry keeps its name, chunks go to chunks/.
  const output: BuildOptions = b.splitting
    ? { outdir: dirname(b.outfile), entryNames: basename(b.outfile, extname(b.outfile)), chunkNames: 'chunks/[name]-[hash]', outExtension: { '.js': extname(b.outfile) }, splitting: true }
    : { outfile: b.outfile };
  return {
    ...output,
    entryPoints: [b.entry],
    bundle: true,
    platform: browser ? 'browser' : 'node',
    format: b.format,
    target: browser ? 'chrome120' : 'node20',
    packages: bundled ? undefined : 'external',
    external: b.target === 'electron-main' || b.target === 'electron-preload' ? ['electron'] : undefined,
    alias: b.alias,
    // Bundled CommonJS code requires Node's built-ins; an ES module has no `require` of its own.
    banner: bundled && !browser && b.format === 'esm' ? { js: "import { createRequire as __fleetsimRequire } from 'node:module'; const require = __fleetsimRequire(import.meta.url);" } : undefined,
    jsx: 'automatic',
    loader: { '.woff2': 'file', '.svg': 'file', '.png': 'file' },
    define: browser ? { 'process.env.NODE_ENV': '"production"' } : undefined,
    minify: browser,
    sourcemap: 'linked',
    logLevel: 'warning',
  };
}

const started = Date.now();
await rm(CHUNK_DIR, { recursive: true, force: true });
await Promise.all(bundles.map((b) => build(optionsFor(b))));
for (const f of staticFiles) {
  await mkdir(dirname(f.to), { recursive: true });
  await copyFile(f.from, f.to);
}
console.log(`built ${bundles.map((b) => b.outfile).join(', ')} in ${Date.now() - started} ms`);
