// The machine check in the editor, in Chromium against a served fleet: ok for the demo, the
// ports and open-files problems (with their fixes) for a quarter-million fleet on 4 hosts.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { startServe, stopServe } from '../helpers/serve.ts';

const RESULTS = join(import.meta.dirname, '../../test-results');
let server: ChildProcess;
let url = '';
let browser: Browser;
let page: Page;

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  ({ server, url } = await startServe(mkdtempSync(join(tmpdir(), 'fleetsim-e2e-preflight-'))));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.setDefaultTimeout(20_000);
});

after(async () => {
  await browser?.close();
  await stopServe(server);
});

test('the editor shows the preflight: ok for the demo, refused with fixes for 250,000 devices on 4 hosts', async () => {
  await page.goto(url);
  await page.getByTestId('preset-select').selectOption('demo');
  const verdict = page.getByTestId('preflight-verdict');
  await page.waitForFunction(() => document.querySelector('[data-testid="preflight-verdict"]')?.getAttribute('data-tone') === 'ok');
  assert.match((await verdict.textContent()) ?? '', /This machine holds it: \d+ hosts?, ~0\.\d GB/);

  const big = { name: 'quarter', target: 'external', hosts: 4, ramp: 5000, groups: [{ name: 'm', protocol: 'mqtt', url: 'mqtt://127.0.0.1:1883', count: 250000 }] };
  await page.locator('input[type="file"]').setInputFiles({ name: 'quarter.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(big)) });
  await page.waitForFunction(() => document.querySelector('[data-testid="preflight-verdict"]')?.getAttribute('data-tone') === 'error');
  assert.match((await verdict.textContent()) ?? '', /Would be refused: 2 problems \(4 hosts/);
  const errors = page.locator('[data-testid="preflight-checks"] li[data-level="error"]');
  assert.equal(await errors.count(), 2);
  const text = (await page.getByTestId('preflight-checks').textContent()) ?? '';
  assert.match(text, /250,000 connections from any source → 127\.0\.0\.1:1883/);
  assert.match(text, /Fix: spread the group over ≥ 36 source addresses/);
  assert.match(text, /4 host\(s\) would hold 62,500 devices each/);
  assert.match(text, /Fix: hosts: auto/);
  await page.getByTestId('preflight').screenshot({ path: join(RESULTS, 'preflight.png') });
  await page.screenshot({ path: join(RESULTS, 'preflight-editor.png') });
});
