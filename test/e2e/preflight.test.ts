/// <reference lib="dom" />
// The machine check in the editor, in Chromium against a served fleet: the demo holds; a
// quarter-million fleet on 4 hosts against one external broker port is refused, with the ports
// and open-files problems and their fixes; spreading a group over more URLs shows up in the
// ports checks. Leaves test-results/preflight.png (the box), preflight-editor.png (the page) and
// group-form.png / group-form-invalid.png (a group's form with the MQTT client and more URLs).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { parse } from 'yaml';
import { readFdLimit } from '../../src/shared/fd-limit.ts';
import { FD_RESERVE } from '../../src/fleet/sharding.ts';
import { openApp, type AppWindow } from '../helpers/app-window.ts';

const RESULTS = join(import.meta.dirname, '../../test-results');
const home = mkdtempSync(join(tmpdir(), 'fleetsim-e2e-preflight-'));
let app: AppWindow;
let url = '';
let page: Page;

const tone = (page: Page, want: string) =>
  page.waitForFunction((t) => document.querySelector('[data-testid="preflight-verdict"]')?.getAttribute('data-tone') === t, want);

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  app = await openApp(home);
  ({ page, url } = app);
  page.setDefaultTimeout(20_000);
});

after(async () => {
  await app?.close();
  rmSync(home, { recursive: true, force: true });
});

test('the editor shows the preflight: the demo holds; 250,000 devices on 4 hosts are refused, with fixes', async () => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  await page.getByTestId('preset-select').selectOption('demo');
  const panel = page.getByTestId('preflight');
  const verdict = page.getByTestId('preflight-verdict');

  // The demo: nothing refused; passed checks stay folded until asked for.
  await page.waitForFunction(() => /^(ok|warn)$/.test(document.querySelector('[data-testid="preflight-verdict"]')?.getAttribute('data-tone') ?? ''));
  assert.match((await verdict.textContent()) ?? '', /^This machine holds it(, with \d+ warnings?)?: \d+ hosts?, ~\d+\.\d GB$/);
  assert.equal(await panel.locator('li[data-level="error"]').count(), 0);
  assert.equal(await panel.locator('li[data-level="ok"]').count(), 0, 'passed checks are folded');
  const toggle = page.getByTestId('preflight-toggle');
  const total = Number(/show all (\d+) checks/.exec((await toggle.textContent()) ?? '')?.[1]);
  assert.ok(total >= 5, `ports, files, target, memory, kernel, cpu: ${total}`);
  await toggle.click();
  assert.equal(await panel.locator('li[data-level]').count(), total);
  assert.ok((await panel.locator('li[data-topic="ports"][data-level="ok"]').count()) === 1);
  await page.getByTestId('preflight-check').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="preflight"]')?.getAttribute('aria-busy') === 'false');
  assert.match((await verdict.textContent()) ?? '', /^This machine holds it/);
  await panel.screenshot({ path: join(RESULTS, 'preflight-ok.png') });
  await toggle.click();

  // An invalid draft: no verdict, and nothing to check.
  await page.locator('input[type="file"]').setInputFiles({ name: 'empty.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ name: 'empty', groups: [] })) });
  await page.waitForFunction(() => document.querySelector('[data-testid="preflight-verdict"]')?.textContent === 'Checked once the scenario is valid');
  assert.equal(await page.getByTestId('preflight-check').isDisabled(), true);

  // 250,000 devices on 4 hosts to one broker port: refused.
  const big = { name: 'quarter', target: 'external', hosts: 4, ramp: 5000, groups: [{ name: 'm', protocol: 'mqtt', url: 'mqtt://127.0.0.1:1883', count: 250_000 }] };
  await page.locator('input[type="file"]').setInputFiles({ name: 'quarter.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(big)) });
  await tone(page, 'error');
  const errors = panel.locator('li[data-level="error"]');
  const refused = /^Would be refused: (\d+) problems?/.exec((await verdict.textContent()) ?? '');
  assert.ok(refused, `verdict: ${await verdict.textContent()}`);
  assert.match((await verdict.locator('.preflight-plan').textContent()) ?? '', /^4 hosts, ~\d+\.\d GB$/);
  assert.equal(Number(refused[1]), await errors.count(), 'the verdict counts the errors listed');

  const ports = (await panel.locator('li[data-topic="ports"][data-level="error"]').textContent()) ?? '';
  assert.match(ports, /250,000 connections from any source → 127\.0\.0\.1:1883 \(group m\) but only [\d,]+ ephemeral ports/);
  assert.match(ports, /Fix: spread the group over ≥ \d+ source addresses/);

  // Every device is a socket in its host: 62,500 each is over any limit below that (20,000 on CI).
  const limit = readFdLimit();
  if (limit && 62_500 > limit.soft - FD_RESERVE) {
    const files = (await panel.locator('li[data-topic="files"][data-level="error"]').textContent()) ?? '';
    assert.match(files, /4 host\(s\) would hold 62,500 devices each, but a process may open only [\d,]+ files/);
    assert.match(files, /Fix: hosts: auto \(sizes by this limit\), or hosts: \d+ or more/);
  } else {
    assert.equal(await panel.locator('li[data-topic="files"][data-level="error"]').count(), 0, `open-file limit ${limit?.soft}: 62,500 devices per host fit`);
  }
  // Errors show at once, before any "show all".
  assert.equal(await panel.locator('li[data-level="ok"]').count(), 0);
  assert.deepEqual(pageErrors, []);

  await panel.screenshot({ path: join(RESULTS, 'preflight.png') });
  await page.screenshot({ path: join(RESULTS, 'preflight-editor.png') });
});

test('a group picks the MQTT.js client and spreads over two more URLs: a bad one named at the field, the ports checks count them, Save keeps them', async () => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  const spread = { name: 'spread', target: 'external', hosts: 4, ramp: 5000, groups: [{ name: 'm', protocol: 'mqtt', url: 'mqtt://127.0.0.1:1883', count: 250_000 }] };
  await page.locator('input[type="file"]').setInputFiles({ name: 'spread.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(spread)) });
  await tone(page, 'error');
  const card = page.locator('.group-card').first();
  const client = card.locator('select[data-path="groups[0].mqtt.client"]');
  const more = card.locator('input[data-path="groups[0].urls"]');
  assert.equal(await client.inputValue(), 'lean', 'lean unless the file says otherwise');
  assert.match((await client.getAttribute('title')) ?? '', /^lean: .*few KB per device.*mqtt\.js: MQTT\.js, ~14 KB per device/);
  assert.equal(await more.getAttribute('title'), 'devices spread over URL and these (several broker ports or processes)');
  assert.equal(await more.inputValue(), '');

  await client.selectOption('mqtt.js');
  // A URL of another scheme: the contract's message, at the field; no verdict for an invalid draft.
  await more.pressSequentially('mqtt://127.0.0.1:1884 ws://127.0.0.1:1885');
  const problem = card.locator('[data-testid="scenario-problem"][data-path="groups[0].urls[1]"]');
  await problem.waitFor();
  assert.equal(await problem.textContent(), '[1]: expected a mqtt: URL like url ("mqtt://127.0.0.1:1883"), got "ws://127.0.0.1:1885"');
  await page.waitForFunction(() => document.querySelector('[data-testid="preflight-verdict"]')?.textContent === 'Checked once the scenario is valid');
  await card.screenshot({ path: join(RESULTS, 'group-form-invalid.png') });

  // Typed as a user types, separators included: the field keeps exactly what was typed.
  await more.fill('');
  await more.pressSequentially('mqtt://127.0.0.1:1884, mqtt://127.0.0.1:1885');
  assert.equal(await more.inputValue(), 'mqtt://127.0.0.1:1884, mqtt://127.0.0.1:1885');
  await problem.waitFor({ state: 'detached' });
  // 250,000 devices over three broker ports: still too many for each, and each port is checked.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="preflight"] li[data-topic="ports"][data-level="error"]').length === 3);
  const ports = await page.getByTestId('preflight').locator('li[data-topic="ports"][data-level="error"]').allTextContents();
  for (const port of [1883, 1884, 1885]) {
    assert.ok(ports.some((p) => p.includes(`83,33${port === 1883 ? 4 : 3} connections from any source → 127.0.0.1:${port} (group m)`)), ports.join('\n'));
  }
  assert.equal(await page.getByTestId('scenario-problem').count(), 0);
  await card.screenshot({ path: join(RESULTS, 'group-form.png') });

  // Save writes what the form shows.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save', exact: true }).click()]);
  const saved = parse(readFileSync(await download.path(), 'utf8')) as { groups: Array<Record<string, unknown>> };
  assert.deepEqual(saved.groups[0], { ...spread.groups[0], urls: ['mqtt://127.0.0.1:1884', 'mqtt://127.0.0.1:1885'], mqtt: { client: 'mqtt.js' } });
  assert.deepEqual(pageErrors, []);
});
