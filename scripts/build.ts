// Bundles every entry listed in electron.config.ts with esbuild. Dependencies stay external:
// they are resolved from node_modules at run time, so the bundles stay small and builds fast.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { bundles, staticFiles } from '../electron.config.ts';

const started = Date.now();
await Promise.all(
  bundles.map((b) =>
    build({
      entryPoints: [b.entry],
      outfile: b.outfile,
      bundle: true,
      platform: b.target === 'browser' ? 'browser' : 'node',
      format: b.format,
      target: b.target === 'browser' ? 'chrome120' : 'node20',
      packages: b.target === 'browser' ? undefined : 'external',
      jsx: 'automatic',
      loader: { '.woff2': 'file', '.svg': 'file', '.png': 'file' },
      define: b.target === 'browser' ? { 'process.env.NODE_ENV': '"production"' } : undefined,
      minify: b.target === 'browser',
      sourcemap: 'linked',
      logLevel: 'warning',
    }),
  ),
);
for (const f of staticFiles) {
  await mkdir(dirname(f.to), { recursive: true });
  await copyFile(f.from, f.to);
}
console.log(`built ${bundles.map((b) => b.outfile).join(', ')} in ${Date.now() - started} ms`);
