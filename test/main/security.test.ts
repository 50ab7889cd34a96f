// The shell's security rules (src/main/security.ts) as plain functions.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { CONTENT_SECURITY_POLICY, isAppUrl, resolveAppFile, senderProblem, type FrameLike } from '../../src/main/security.ts';

test('isAppUrl: app://fleetsim and nothing that only looks like it', () => {
  for (const url of ['app://fleetsim/index.html', 'app://fleetsim/', 'app://fleetsim/app.js?x=1#y']) assert.equal(isAppUrl(url), true, url);
  for (const url of [
    'app://fleetsim.evil.com/index.html',
    'app://evil/index.html',
    'app://fleetsim:8080/index.html',
    'app://user@fleetsim/index.html',
    'https://fleetsim/index.html',
    'file:///work/main/dist/renderer/index.html',
    'app:fleetsim/index.html',
    'about:blank',
    '',
    'not a url',
  ])
    assert.equal(isAppUrl(url), false, url);
});

test('resolveAppFile: files under the root only', () => {
  const root = resolve('/srv/fleetsim/renderer');
  assert.equal(resolveAppFile(root, 'app://fleetsim/'), join(root, 'index.html'));
  assert.equal(resolveAppFile(root, 'app://fleetsim/index.html'), join(root, 'index.html'));
  assert.equal(resolveAppFile(root, 'app://fleetsim/assets/font%20one.woff2'), join(root, 'assets', 'font one.woff2'));
  assert.equal(resolveAppFile(root, 'app://fleetsim/a/../app.js'), join(root, 'app.js'));
  // Plain and %2e dot segments are collapsed by URL parsing (Chromium does the same before the
  // handler sees the request): they cannot climb above the origin's root.
  assert.equal(resolveAppFile(root, 'app://fleetsim/../secret'), join(root, 'secret'));
  assert.equal(resolveAppFile(root, 'app://fleetsim/%2e%2e/%2E%2E/secret'), join(root, 'secret'));
  // Encoded separators survive URL parsing and are decoded afterwards: those are the attacks.
  for (const url of [
    'app://fleetsim/..%2fsecret',
    'app://fleetsim/..%2f..%2f..%2fetc%2fpasswd',
    'app://fleetsim/..%5csecret',
    'app://fleetsim/%2fetc%2fpasswd/..%2f..%2f..%2fetc/passwd',
    'app://fleetsim/..%2frenderer-sibling/x',
    'app://fleetsim/C:%5cWindows%5cwin.ini',
    'app://fleetsim/index.html%00.png',
    'app://fleetsim/%E0%A4%A',
    'app://other/index.html',
    'file:///srv/fleetsim/renderer/index.html',
  ])
    assert.equal(resolveAppFile(root, url), null, url);
});

function frame(url: string, over: Partial<FrameLike> = {}): FrameLike {
  return { url, processId: 10, routingId: 1, parent: null, detached: false, ...over };
}

test('senderProblem: only our window, its main frame, on our origin', () => {
  const main = frame('app://fleetsim/index.html');
  const win = { isDestroyed: () => false, webContents: { id: 1, mainFrame: main } };
  assert.equal(senderProblem({ sender: { id: 1 }, senderFrame: main }, win), null);
  // The same frame seen through another wrapper object still matches (process + routing id).
  assert.equal(senderProblem({ sender: { id: 1 }, senderFrame: frame('app://fleetsim/index.html') }, win), null);

  assert.equal(senderProblem({ sender: { id: 1 }, senderFrame: main }, null), 'no app window');
  assert.equal(senderProblem({ sender: { id: 1 }, senderFrame: main }, { ...win, isDestroyed: () => true }), 'no app window');
  assert.equal(senderProblem({ sender: { id: 2 }, senderFrame: main }, win), 'sender is not the app window');
  assert.equal(senderProblem({ sender: { id: 1 }, senderFrame: null }, win), 'sender frame is gone');
  assert.equal(senderProblem({ sender: { id: 1 }, senderFrame: frame(main.url, { detached: true }) }, win), 'sender frame is gone');
  assert.equal(senderProblem({ sender: { id: 1 }, senderFrame: frame(main.url, { parent: main, routingId: 5 }) }, win), 'sender is not the main frame');
  assert.equal(senderProblem({ sender: { id: 1 }, senderFrame: frame(main.url, { routingId: 2 }) }, win), 'sender is not the main frame');
  assert.equal(senderProblem({ sender: { id: 1 }, senderFrame: frame(main.url, { processId: 11 }) }, win), 'sender is not the main frame');
  const navigatedAway = frame('https://example.com/');
  assert.equal(senderProblem({ sender: { id: 1 }, senderFrame: navigatedAway }, { ...win, webContents: { id: 1, mainFrame: navigatedAway } }), 'sender URL is not app://fleetsim');
});

function parseCsp(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name, sources]),
  );
}

test('the CSP header is never looser than the renderer page\'s own CSP meta', (t) => {
  const html = 'renderer/index.html';
  if (!existsSync(html)) return t.skip('renderer/index.html not there');
  const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(readFileSync(html, 'utf8'));
  assert.ok(meta, 'renderer/index.html has a CSP meta');
  const page = parseCsp(meta[1]);
  const header = parseCsp(CONTENT_SECURITY_POLICY);
  assert.deepEqual(header.get('default-src'), ["'none'"]);
  for (const [directive, sources] of header) {
    if (sources.includes("'none'")) continue;
    const allowed = page.get(directive) ?? (directive.endsWith('-src') ? page.get('default-src') : undefined);
    if (!allowed) continue; // the page says nothing about it: ours is the only rule
    for (const s of sources) assert.ok(allowed.includes(s), `${directive} ${s} is not allowed by the page's own CSP (${allowed.join(' ')})`);
  }
  for (const directive of ['script-src', 'object-src', 'base-uri', 'frame-ancestors']) assert.ok(header.has(directive), directive);
  assert.doesNotMatch(CONTENT_SECURITY_POLICY, /unsafe-eval|script-src[^;]*unsafe-inline|\*/);
});
