// The `thresholds:` grammar: what a QA engineer may type, and the message for what they may not.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatMeasured, parseThreshold, thresholdInput, thresholdLabel, type Threshold } from '../../src/contract/thresholds.ts';
import { validateScenario } from '../../src/contract/validate.ts';

const group = { protocol: 'mqtt', url: 'embedded:mqtt', count: 10 };

function parsed(thresholds: unknown[]): Threshold[] {
  const r = validateScenario({ groups: [group], thresholds });
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'));
  return r.scenario.thresholds;
}

function problems(thresholds: unknown): string[] {
  const r = validateScenario({ groups: [group], thresholds });
  assert.ok(!r.ok, 'expected the scenario to be refused');
  return r.problems;
}

describe('thresholds schema', () => {
  test('the examples of the issue parse, values normalised (latency in ms, share in %)', () => {
    const t = parsed(['online >= 99.9%', 'puback.p99 < 200ms', 'connack.p99 < 1s', 'disconnects/s < 1', 'connectFailures == 0', 'saturation == 0']);
    assert.deepEqual(
      t.map((x) => [x.metric, x.op, x.value, x.unit, x.window]),
      [
        [{ kind: 'count', name: 'online' }, '>=', 99.9, '%', null],
        [{ kind: 'latency', latency: 'puback', stat: 'p99' }, '<', 200, 'ms', null],
        [{ kind: 'latency', latency: 'connack', stat: 'p99' }, '<', 1000, 'ms', null],
        [{ kind: 'rate', name: 'disconnects' }, '<', 1, '', null],
        [{ kind: 'count', name: 'connectFailures' }, '==', 0, '', null],
        [{ kind: 'count', name: 'saturation' }, '==', 0, '', null],
      ],
    );
    assert.equal(t[1].check, 'puback.p99 < 200ms');
  });

  test('spaces are optional, every operator is known, a window is whole seconds', () => {
    const t = parsed(['online>=990', ' connect.max <= 2.5s ', 'gaveUp != 1', 'reconnects > 0', { check: 'puback.p99 < 200ms', window: '10s' }, { check: 'online >= 95%', window: '1m' }]);
    assert.deepEqual(t.map((x) => x.op), ['>=', '<=', '!=', '>', '<', '>=']);
    assert.equal(t[1].value, 2500);
    assert.equal(t[4].window, 10_000);
    assert.equal(t[5].window, 60_000);
    // "every <window>" at the end of the text is the same as { check, window }.
    const [every] = parsed(['puback.p99 < 200ms every 10s']);
    assert.deepEqual(every, t[4]);
    assert.equal(parsed([]).length, 0);
    const r = validateScenario({ groups: [group] });
    assert.ok(r.ok && r.scenario.thresholds.length === 0, 'none by default');
  });

  test('bad items are refused naming the item and what was wrong', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['pubak.p99 < 200ms', /^thresholds\[0\]: unknown metric "pubak\.p99" \(known: online, peakOnline, .*connectFailures\/s.*<kind>\.<p50\|p90\|p99\|max> \(kind: connect, tls, connack, puback/],
      ['puback.p99 < 200', /^thresholds\[0\]: puback\.p99 is a latency: give its unit, ms or s \(e\.g\. "200ms"\)/],
      ['puback.p99 200ms', /^thresholds\[0\]: expected "<metric> <operator> <value>", e\.g\. "puback\.p99 < 200ms" \(operators: <= >= == != < >\), got "puback\.p99 200ms"/],
      ['online => 99%', /^thresholds\[0\]: expected "<metric> <operator> <value>".*got "online => 99%"$/],
      ['online >= lots', /^thresholds\[0\]: "lots" after >= is not a number$/],
      ['online >= 120%', /^thresholds\[0\]: 120% is not a percentage from 0 to 100$/],
      ['saturation < 5%', /^thresholds\[0\]: saturation cannot be a percentage: write a plain number$/],
      ['disconnects/s < 1ms', /^thresholds\[0\]: disconnects\/s is a rate per second: write a plain number, without "ms"$/],
      ['connectFailures == 0s', /^thresholds\[0\]: connectFailures is a count: write a plain number, without "s"$/],
      [{ check: 'connectFailures == 0', window: '10s' }, /^thresholds\[0\]\.check: connectFailures cannot be checked per window \(a window reads the one-second timeline: online, connects, disconnects, connects\/s, disconnects\/s, <kind>\.p50\|p99\)$/],
      [{ check: 'puback.p90 < 1s', window: '10s' }, /^thresholds\[0\]\.check: puback\.p90 cannot be checked per window/],
      [{ check: 'online >= 9', window: '1500ms' }, /^thresholds\[0\]\.window: must be whole seconds, at least 1s .*got "1500ms"$/],
      [{ check: 'online >= 9', window: 10 }, /^thresholds\[0\]\.window: expected a duration like "10s"/],
      [{ check: 'online >= 9', every: '10s' }, /^thresholds\[0\]: unknown field "every"$/],
      ['online >= 95% every 1500ms', /^thresholds\[0\]: "every 1500ms": must be whole seconds, at least 1s/],
      ['connectFailures == 0 every 10s', /^thresholds\[0\]: connectFailures cannot be checked per window/],
      [{ check: 'online >= 95% every 10s', window: '10s' }, /^thresholds\[0\]\.check: the window is given twice: "every 10s" and window$/],
      [42, /^thresholds\[0\]: expected a check like "puback\.p99 < 200ms", or \{ check, window: 10s \}$/],
    ];
    for (const [item, re] of cases) {
      const p = problems([item]);
      assert.equal(p.length, 1, `${JSON.stringify(item)}: ${p.join(' | ')}`);
      assert.match(p[0], re, JSON.stringify(item));
    }
    // The item's index is the one that was wrong.
    assert.match(problems(['online >= 1', 'nope < 1'])[0], /^thresholds\[1\]: unknown metric "nope"/);
    assert.match(problems('online >= 1')[0], /^thresholds: /);
  });

  test('parseThreshold is what --threshold uses: the same words without the path', () => {
    assert.equal(parseThreshold('lost > 1x'), '"1x" after > is not a number');
    const t = parseThreshold('connects/s >= 50');
    assert.ok(typeof t !== 'string');
    assert.deepEqual(t.metric, { kind: 'rate', name: 'connects' });
  });

  test('a parsed threshold goes back into a file as written', () => {
    const [a, b] = parsed(['connack.p99 < 1s', { check: 'online >= 99%', window: '30s' }]);
    assert.equal(thresholdInput(a), 'connack.p99 < 1s');
    assert.deepEqual(thresholdInput(b), { check: 'online >= 99%', window: '30s' });
    assert.deepEqual(parsed([thresholdInput(a), thresholdInput(b)]), [a, b]);
  });

  test('measured values read with their unit', () => {
    assert.equal(formatMeasured({ measured: 187.25, unit: 'ms' }), '187.3 ms');
    assert.equal(formatMeasured({ measured: 99.95, unit: '%' }), '99.95%');
    assert.equal(formatMeasured({ measured: 0.4, unit: '/s' }), '0.4/s');
    assert.equal(formatMeasured({ measured: 12345, unit: '' }), '12,345');
    assert.equal(formatMeasured({ measured: null, unit: 'ms' }), '—');
    assert.equal(thresholdLabel({ check: 'online >= 99%', window: 10_000 }), 'online >= 99% (every 10s window)');
  });
});
