// `fleetsim serve --attach URL --run-id R`: bad flags are refused before anything listens (exit 2, the flag named).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const BIN = join(import.meta.dirname, '../../bin/fleetsim.mjs');
const serve = (...args: string[]) => spawnSync(process.execPath, [BIN, 'serve', '--port', '0', ...args], { encoding: 'utf8', timeout: 30_000 });

test('serve --attach refuses bad flags with exit 2, naming the flag', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--attach', 'ftp://127.0.0.1:9090', '--run-id', 'r1'], /^fleetsim serve: --attach: expected http or https, got ftp$/m],
    [['--attach', 'http://127.0.0.1:9090', '--run-id', 'no spaces'], /^fleetsim serve: --run-id: expected letters, digits/m],
    [['--attach', 'http://127.0.0.1:9090'], /^fleetsim serve: --run-id: required with --attach/m],
    [['--run-id', 'r1'], /^fleetsim serve: --attach: required with --run-id/m],
    [['--attach', 'http://127.0.0.1:9090', '--run-id', 'r1', '--window', '1'], /^fleetsim serve: --window: expected whole seconds 2-3600/m],
    [['--attach', 'http://127.0.0.1:9090', '--run-id', 'r1', '--window', '10s'], /^fleetsim serve: --window: expected whole seconds 2-3600/m],
  ];
  for (const [args, message] of cases) {
    const r = serve(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.doesNotMatch(r.stdout, /open http/, 'nothing was served');
  }
});
