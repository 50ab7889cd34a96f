// Bundles every entry listed in electron.config.ts with esbuild. Dependencies stay external
// (resolved from node_modules at run time, so bundles stay small and builds fast) unless a
// bundle inlines them (see BundleSpec.inline).
import { build, type Plugin } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { bundles, staticFiles } from '../electron.config.ts';

/** Keeps bare imports external, except the listed packages and whatever they import in turn. */
function externalExcept(inlined: string[]): Plugin {
  const packageOf = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
  return {
    name: 'external-except',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:')) return { path: args.path, external: true };
        const fromInlined = args.importer.includes('/node_modules/');
        return fromInlined || inlined.includes(packageOf(args.path)) ? undefined : { path: args.path, external: true };
      });
    },
  };
}

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
      packages: b.target === 'browser' || b.inline ? undefined : 'external',
      plugins: b.inline ? [externalExcept(b.inline.packages)] : undefined,
      alias: b.inline?.alias,
      // Inlined CommonJS code requires Node's built-ins; an ES module has no `require` of its own.
      banner: b.inline && b.format === 'esm' ? { js: "import { createRequire as __fleetsimRequire } from 'node:module'; const require = __fleetsimRequire(import.meta.url);" } : undefined,
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
