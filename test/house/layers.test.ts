// The layers of the house, enforced: every import in src/, renderer/, bench/, scripts/ and test/
// is read (import-scan.ts) and held against a table of which folder may import which. The table
// below is the architecture (docs/architecture.md explains it); the test prints the layer table
// as built, and names each import the table does not allow.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { importsOf } from './import-scan.ts';

const ROOT = join(import.meta.dirname, '../..');
const SCANNED = ['src', 'renderer', 'bench', 'scripts', 'test'];
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;

const SRC_LAYERS = readdirSync(join(ROOT, 'src')).filter((name) => statSync(join(ROOT, 'src', name)).isDirectory()).map((name) => `src/${name}`);

/**
 * Which layer may import which, bottom up. A layer is a folder under src/, or renderer, bench,
 * scripts or test; a file at the top of the repository (package.json) is a layer of its own.
 * A layer may always import itself. 'any' is for the tests.
 */
const MAY_IMPORT: Record<string, readonly string[] | 'any'> = {
  // Types, schemas and pure functions of every boundary; the renderer compiles it for the browser.
  'src/contract': [],
  // Node-side pieces several layers need: parent channel, histograms, templates, fd limit,
  // stream handle, home directory.
  'src/shared': ['src/contract'],
  // Recorded runs: file layout, writers and readers, report, compare, merge.
  'src/runs': ['src/contract', 'src/shared'],
  // The test PKI: CA, server and per-device certificates.
  'src/pki': ['src/contract', 'src/shared'],
  // The embedded target: a process of its own, started by the fleet's launcher or `fleetsim
  // target`; a TLS target reads its server certificate from the test PKI.
  'src/targets': ['src/contract', 'src/shared', 'src/pki'],
  // A device host process; it writes its own part of a run record and reads the test PKI.
  'src/engine': ['src/contract', 'src/shared', 'src/runs', 'src/pki'],
  // FleetController and FleetService: hosts and target are processes it starts (launcher.ts) and
  // talks to over the host protocol, never modules it imports.
  'src/fleet': ['src/contract', 'src/shared', 'src/runs', 'src/pki'],
  // Kubernetes manifests and Prometheus scrape config for a fleet plan.
  'src/k8s': ['src/contract', 'src/shared', 'src/fleet'],
  // Electron's main process and the sandboxed preload (window.fleet, nothing else).
  'src/main': ['src/contract', 'src/shared', 'src/runs', 'src/fleet'],
  'src/preload': ['src/contract'],
  // The command line, browser mode's bridge included.
  'src/cli': ['src/contract', 'src/shared', 'src/runs', 'src/pki', 'src/targets', 'src/fleet', 'src/k8s', 'package.json'],
  // The UI sees the contract only: everything else reaches it through FleetApi.
  renderer: ['src/contract'],
  // Benchmarks drive the product, never the tests' helpers.
  bench: SRC_LAYERS,
  scripts: [...SRC_LAYERS, 'electron.config.ts'],
  test: 'any',
};

/** Packages only some layers may load: Electron is the shell's; Node's own modules stay out of the browser and the sandbox. */
function packageRefusal(layer: string, spec: string): string | null {
  if (spec === 'electron' || spec.startsWith('electron/')) {
    return ['src/main', 'src/preload', 'test'].includes(layer) ? null : 'Electron is loaded by src/main and src/preload only';
  }
  if (isBuiltin(spec) && ['renderer', 'src/contract', 'src/preload'].includes(layer)) return 'Node modules are not there in the browser and the sandboxed preload';
  return null;
}

/** The layer of a repository path: src/<folder>, the top folder, or a top-level file itself. */
function layerOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] === 'src' && parts.length > 2) return `src/${parts[1]}`;
  return parts.length > 1 && parts[0] !== 'src' ? parts[0] : path;
}

interface Edge {
  file: string;
  line: number;
  spec: string;
  from: string;
  /** The layer imported, or null for a package. */
  to: string | null;
  /** Why the table refuses it, or null. */
  refusal: string | null;
}

function sourceFiles(): string[] {
  return SCANNED.flatMap((dir) =>
    readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((name) => SOURCE.test(name) && !name.split('/').includes('node_modules'))
      .map((name) => `${dir}/${name}`),
  ).sort();
}

/** A relative specifier as the file it names ('./x.js' may name x.ts), or null when nothing is there. */
function resolveFile(file: string, spec: string): string | null {
  const target = resolve(ROOT, dirname(file), spec);
  const candidates = [target, target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx')];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  return found ? relative(ROOT, found) : null;
}

function edgeOf(file: string, line: number, spec: string): Edge {
  const from = layerOf(file);
  const edge = { file, line, spec, from };
  if (!spec.startsWith('.') && !spec.startsWith('/')) return { ...edge, to: null, refusal: packageRefusal(from, spec) };
  const target = resolveFile(file, spec);
  if (!target) return { ...edge, to: null, refusal: 'no such file' };
  const to = layerOf(target);
  const allowed = MAY_IMPORT[from];
  if (allowed === undefined) return { ...edge, to, refusal: `${from} has no row in the layer table` };
  const ok = to === from || allowed === 'any' || allowed.includes(to);
  return { ...edge, to, refusal: ok ? null : `${from} may not import ${to}` };
}

const files = sourceFiles();
const texts = new Map(files.map((file) => [file, readFileSync(join(ROOT, file), 'utf8')]));
const edges = files.flatMap((file) => importsOf(texts.get(file)!).map((ref) => edgeOf(file, ref.line, ref.spec)));

/** One line per layer: what it imports (how many imports), refused layers marked. */
function layerTable(): string[] {
  const rows = new Map<string, Map<string, { count: number; refused: boolean }>>();
  for (const e of edges) {
    if (e.to === null || e.to === e.from) continue;
    const row = rows.get(e.from) ?? new Map();
    rows.set(e.from, row);
    const cell = row.get(e.to) ?? { count: 0, refused: false };
    cell.count++;
    cell.refused ||= e.refusal !== null;
    row.set(e.to, cell);
  }
  const layers = [...new Set([...Object.keys(MAY_IMPORT), ...rows.keys()])];
  const width = Math.max(...layers.map((l) => l.length));
  return layers.map((layer) => {
    const cells = [...(rows.get(layer) ?? new Map()).entries()].sort(([a], [b]) => a.localeCompare(b));
    const text = cells.map(([to, c]) => `${to} ${c.count}${c.refused ? ' NOT ALLOWED' : ''}`).join(', ');
    return `${layer.padEnd(width)}  → ${text || '(nothing)'}`;
  });
}

test('every import stays within the layer table', (t) => {
  for (const line of layerTable()) t.diagnostic(line);
  const refused = edges.filter((e) => e.refusal !== null);
  for (const e of refused) t.diagnostic(`${e.file}:${e.line} '${e.spec}': ${e.refusal}`);
  assert.deepEqual(
    refused.map((e) => `${e.file}:${e.line} '${e.spec}': ${e.refusal}`),
    [],
    `${refused.length} import(s) break the layer table`,
  );
});

test('every folder under src/ has its place in the table', () => {
  assert.deepEqual(
    SRC_LAYERS.filter((layer) => !(layer in MAY_IMPORT)),
    [],
    'a new folder under src/ needs a row in MAY_IMPORT (and a line in docs/architecture.md)',
  );
});

test('the scan sees every one-line import a plain reading of the files finds', () => {
  // A second, simpler reader over the same files: whatever it finds, the scanner must have found.
  const plain = /^(?:import|export)\b[^'"`\n]*\bfrom '([^']+)';$/gm;
  let checked = 0;
  for (const [file, text] of texts) {
    const scanned = new Set(edges.filter((e) => e.file === file).map((e) => e.spec));
    for (const m of text.matchAll(plain)) {
      checked++;
      assert.ok(scanned.has(m[1]), `${file}: the scan missed '${m[1]}'`);
    }
  }
  assert.ok(checked > 0, 'the plain reading found no import at all');
  // Every layer in the table was read and imports something (the contract only packages).
  for (const layer of Object.keys(MAY_IMPORT)) assert.ok(edges.some((e) => e.from === layer), `no import read in ${layer}`);
});
