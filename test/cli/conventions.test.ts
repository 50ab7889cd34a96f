// Every fleetsim command, as a user runs it (the built bin), follows the same conventions:
// --help and -h print its usage on stdout and exit 0; an unknown flag is named with the command
// on stderr, the usage after it, exit 2; --version prints the package's version.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/fleetsim.mjs');

// Every command and subcommand a user can type (keep in step with src/cli/main.ts).
const COMMANDS = [
  'run',
  'capacity',
  'target',
  'serve',
  'validate',
  'preflight',
  'plan',
  'k8s',
  'certs',
  'certs init',
  'certs issue',
  'certs show',
  'presets',
  'runs',
  'runs merge',
  'compare',
  'report',
  'export',
  'import',
];

function fleetsim(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('fleetsim --version and -V print the version in package.json', () => {
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-V']) {
    const r = fleetsim([flag]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), version);
  }
});

test('fleetsim --help lists every command and exits 0', () => {
  const r = fleetsim(['--help']);
  assert.equal(r.code, 0);
  for (const command of COMMANDS) assert.match(r.stdout, new RegExp(`fleetsim ${command.split(' ')[0]}\\b`), command);
  const unknown = fleetsim(['--frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^unknown option --frobnicate for fleetsim\n/);
});

for (const command of COMMANDS) {
  const words = command.split(' ');
  test(`fleetsim ${command}: --help and -h print its usage on stdout, exit 0`, () => {
    for (const flag of ['--help', '-h']) {
      const r = fleetsim([...words, flag]);
      assert.equal(r.code, 0, `${flag}: ${r.stderr}`);
      assert.equal(r.stderr, '', flag);
      assert.match(r.stdout, /^usage: /, flag);
      assert.ok(r.stdout.includes(`fleetsim ${command}`), `${flag}: the usage names fleetsim ${command}:\n${r.stdout}`);
    }
  });

  test(`fleetsim ${command}: an unknown flag is named, the usage follows on stderr, exit 2`, () => {
    const r = fleetsim([...words, '--no-such-flag']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    const [first, ...rest] = r.stderr.split('\n');
    assert.equal(first, `unknown option --no-such-flag for fleetsim ${command}`);
    assert.match(rest.join('\n'), /^usage: /m);
  });
}
