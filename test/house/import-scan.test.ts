// The import scanner the layer test stands on: every form of import is found, with its line, and
// nothing that only looks like one (in a comment, a string, a template, a regular expression,
// JSX text) is taken for one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importsOf } from './import-scan.ts';

// Source lines are indented here so that the layer test's plain line reader does not take this
// file's fixtures for its own imports; the scanner does not care where a statement starts.
const source = (lines: string[]) => lines.map((l) => `  ${l}`).join('\n');

test('finds every form of import, export-from, import() and require()', () => {
  const found = importsOf(
    source([
      `import fs from 'node:fs';`,
      `import {`,
      `  a,`,
      `  type B,`,
      `} from './multi-line.ts';`,
      `import type { C } from "./type-only.ts";`,
      `import './side-effect.css';`,
      `import d, * as e from './default-and-namespace.ts';`,
      `export * from './star.ts';`,
      `export * as ns from './star-as.ts';`,
      `export { f, type G } from './named.ts';`,
      `export type { H } from './type-reexport.ts';`,
      `const lazy = () => import('./dynamic.ts');`,
      'const t = import(`./template-dynamic.ts`);',
      `type M = typeof import('./in-a-type.ts');`,
      `const cjs = require('./required.cjs');`,
      `import data from './data.json' with { type: 'json' };`,
    ]),
  );
  assert.deepEqual(found, [
    { spec: 'node:fs', line: 1 },
    { spec: './multi-line.ts', line: 5 },
    { spec: './type-only.ts', line: 6 },
    { spec: './side-effect.css', line: 7 },
    { spec: './default-and-namespace.ts', line: 8 },
    { spec: './star.ts', line: 9 },
    { spec: './star-as.ts', line: 10 },
    { spec: './named.ts', line: 11 },
    { spec: './type-reexport.ts', line: 12 },
    { spec: './dynamic.ts', line: 13 },
    { spec: './template-dynamic.ts', line: 14 },
    { spec: './in-a-type.ts', line: 15 },
    { spec: './required.cjs', line: 16 },
    { spec: './data.json', line: 17 },
  ]);
});

test('comments, strings, templates, regular expressions and JSX text are not imports', () => {
  const found = importsOf(
    source([
      `// import a from './in-a-line-comment.ts';`,
      `/* import b from './in-a-block-comment.ts'; */`,
      `const s = "import c from './in-a-string.ts';";`,
      'const t = `${x ? `import d from ${"./nested.ts"}` : { from: 1 }}',
      `import e from './in-a-template.ts';`,
      '`;',
      `const re = /'/g, half = 1 / 2, q = "'";`,
      `const re2 = /import f from '.\\/in-a-regexp.ts'/;`,
      `const list = Array.from('abc'), from = 'not-a-module';`,
      `export const g = { from: './an-object-value.ts' };`,
      `export function h(from = './a-default.ts') { return from; }`,
      `const view = <p>Pick a run from 'Runs' or import one</p>;`,
      `const head = <th>#</th>;`,
      `import real from './after-all-that.ts';`,
    ]),
  );
  assert.deepEqual(found, [{ spec: './after-all-that.ts', line: 14 }]);
});
