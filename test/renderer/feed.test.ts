// The feed's line for an ended run: a broken threshold makes it an error and says how many.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summaryHeadline } from '../../renderer/state/feed.ts';
import { summary } from './fixtures.ts';

test('an ended run names its thresholds: broken ones make the line an error', () => {
  assert.equal(summaryHeadline(summary()).level, 'ok');
  assert.doesNotMatch(summaryHeadline(summary()).detail, /threshold/);
  const held = summaryHeadline(summary({ thresholds: [{ check: 'online >= 99%', unit: '%', measured: 100, pass: true }] }));
  assert.equal(held.level, 'ok');
  assert.match(held.detail, / · thresholds held$/);
  const broken = summaryHeadline(
    summary({
      thresholds: [
        { check: 'online >= 99%', unit: '%', measured: 100, pass: true },
        { check: 'connack.p99 < 1s', unit: 'ms', measured: 1500, pass: false },
      ],
    }),
  );
  assert.equal(broken.level, 'error');
  assert.match(broken.detail, / · 1 of 2 thresholds broken$/);
});
