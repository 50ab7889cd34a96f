import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDuration, parseDuration } from '../../src/contract/duration.ts';

describe('parseDuration', () => {
  test('parses every unit to milliseconds', () => {
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('15s'), 15_000);
    assert.equal(parseDuration('2m'), 120_000);
    assert.equal(parseDuration('1h'), 3_600_000);
  });

  test('accepts decimals and rounds to whole milliseconds', () => {
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('0.5m'), 30_000);
    assert.equal(parseDuration('2.4ms'), 2);
    assert.equal(parseDuration('2.6ms'), 3);
  });

  test('tolerates surrounding and inner whitespace', () => {
    assert.equal(parseDuration(' 15s '), 15_000);
    assert.equal(parseDuration('15 s'), 15_000);
  });

  test('accepts zero', () => {
    assert.equal(parseDuration('0s'), 0);
    assert.equal(parseDuration('0ms'), 0);
  });

  test('rejects anything that is not a number with a known unit', () => {
    for (const text of ['', '15', 's', '15sec', '15S', '-1s', '+1s', '1e3ms', '1.s', '.5s', '15s 3m', '15d', 'abc']) {
      assert.equal(parseDuration(text), undefined, JSON.stringify(text));
    }
  });
});

describe('formatDuration', () => {
  test('below one second prints milliseconds', () => {
    assert.equal(formatDuration(0), '0ms');
    assert.equal(formatDuration(250), '250ms');
    assert.equal(formatDuration(12.4), '12ms');
  });

  test('below one minute prints seconds with at most one decimal', () => {
    assert.equal(formatDuration(1000), '1s');
    assert.equal(formatDuration(1500), '1.5s');
    assert.equal(formatDuration(15_000), '15s');
    assert.equal(formatDuration(15_040), '15s');
  });

  test('from one minute prints minutes and seconds', () => {
    assert.equal(formatDuration(60_000), '1m');
    assert.equal(formatDuration(90_000), '1m30s');
    assert.equal(formatDuration(120_000), '2m');
    assert.equal(formatDuration(3_600_000), '60m');
  });

  test('round-trips through parseDuration for whole seconds and minutes', () => {
    for (const ms of [250, 1000, 15_000, 60_000, 120_000]) {
      assert.equal(parseDuration(formatDuration(ms)), ms);
    }
  });

  // Known bug (see report): seconds are rounded after the minutes are taken, so a value just
  // under a whole minute prints 60 seconds.
  test('never prints 60 seconds inside a minute', () => {
    assert.equal(formatDuration(119_700), '2m');
    assert.equal(formatDuration(3_599_999), '60m');
  });
});
