// Bundles every entry listed in electron.config.ts with esbuild. Dependencies stay external:
// they are resolved from node_modules at run time, so the bundles stay small and builds fast.
import { build } from 'esbuild';
import { bundles } from '../electron.config.ts';

const started = Date.now();
await Promise.all(
  bundles.map((b) =>
    build({
      entryPoints: [b.entry],
      outfile: b.outfile,
      bundle: true,
      platform: b.target === 'browser' ? 'browser' : 'node',
      format: b.format,
      target: 'node20',
      packages: b.target === 'browser' ? undefined : 'external',
      sourcemap: 'linked',
      logLevel: 'warning',
    }),
  ),
);
console.log(`built ${bundles.map((b) => b.outfile).join(', ')} in ${Date.now() - started} ms`);
