/// <reference lib="dom" />
// End to end, as a QA engineer uses it: `fleetsim serve` (a real controller and the embedded
// target) driven in Debian's Chromium. Pick the demo, start, watch the fleet come online,
// open a device and read its log, stop. Leaves a screenshot in test-results/.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';

const ROOT = join(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const RESULTS = join(ROOT, 'test-results');

let server: ChildProcess;
let url = '';
let browser: Browser;
let page: Page;

async function startServe(): Promise<void> {
  server = spawn(process.execPath, [join(ROOT, 'bin/fleetsim.mjs'), 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`fleetsim serve printed no URL: ${out}`)), 15_000);
    server.stdout!.on('data', (d) => {
      out += d;
      const m = /open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.once('exit', (code) => reject(new Error(`fleetsim serve exited (${code}): ${out}`)));
  });
}

const number = (text: string | null) => Number((text ?? '').replace(/[^\d]/g, ''));

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium (.ci/run does it)`);
  mkdirSync(RESULTS, { recursive: true });
  await startServe();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.setDefaultTimeout(30_000);
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGINT');
    await new Promise((r) => server.once('exit', r));
  }
});

test('demo preset: start, 1,200 devices online, a device log, a storm and its recovery, stop', async () => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  await page.getByTestId('preset-select').selectOption('demo');
  await page.getByTestId('start-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="run-state"]')?.textContent?.trim() === 'running');
  assert.equal(number(await page.getByTestId('online-target').textContent()), 1200);
  await page.waitForFunction(
    () => Number((document.querySelector('[data-testid="online-count"]')?.textContent ?? '').replace(/[^\d]/g, '')) === 1200,
    undefined,
    { timeout: 60_000 },
  );

  // Let a few timeline seconds accumulate so the charts have something to draw.
  await page.waitForTimeout(4000);
  const rows = page.getByTestId('device-row');
  await rows.first().waitFor();
  const id = await rows.first().getAttribute('data-device-id');
  assert.ok(id, 'rows carry their device id');
  await rows.first().click();
  const drawer = page.getByTestId('device-drawer');
  await drawer.waitFor();
  await drawer.getByTestId('device-log-line').first().waitFor();
  const lines = await drawer.getByTestId('device-log-line').allTextContents();
  assert.ok(lines.some((l) => /online/.test(l)), `the log shows the device going online: ${lines.join(' | ')}`);
  assert.ok((await drawer.textContent())?.includes(id!));
  assert.ok((await page.getByTestId('host-row').count()) >= 1);
  assert.ok((await page.getByTestId('timeline-chart').count()) >= 2);
  await page.screenshot({ path: join(RESULTS, 'dashboard.png'), fullPage: true });

  // A reconnect storm, triggered from the UI: its recovery card ends up "recovered".
  await page.keyboard.press('Escape');
  await page.getByTestId('storm-shortcut-drop').click();
  const card = page.getByTestId('storm-card').first();
  await card.waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="storm-card"]')?.getAttribute('data-outcome') === 'recovered', undefined, { timeout: 30_000 });
  assert.match((await card.textContent()) ?? '', /drop 30%/);
  await page.screenshot({ path: join(RESULTS, 'storm.png'), fullPage: true });

  await page.getByTestId('stop-button').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="run-state"]')?.textContent?.trim() === 'stopped');
  assert.deepEqual(pageErrors, []);
});

test('a page without the token is refused by the bridge and says so', async () => {
  const p = await browser.newPage();
  await p.goto(url.replace(/token=[^&]+/, 'token=wrong'));
  await p.waitForFunction(() => /refused|unauthori|token/i.test(document.querySelector('[data-testid="connection-state"]')?.textContent ?? ''), undefined, { timeout: 15_000 });
  await p.close();
});
