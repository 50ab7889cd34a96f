// One fleet over many machines: shard slices partition every group, and the shards' hosts
// together get exactly the fleet's rates.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseShard, shardSlice } from '../../../src/contract/fleet-shard.ts';
import type { Scenario } from '../../../src/contract/scenario.ts';
import { validateScenario } from '../../../src/contract/validate.ts';
import { hostRates, shardDeviceCount, shardGroups, shardSizingView } from '../../../src/fleet/sharding.ts';

function scenario(groups: Array<{ count: number; ramp?: number }>, ramp = 1000): Scenario {
  const result = validateScenario({ ramp, groups: groups.map((g, i) => ({ name: `g${i}`, protocol: 'mqtt', url: 'mqtt://127.0.0.1:1883', ...g })) });
  if (!result.ok) assert.fail(result.problems.join('\n'));
  return result.scenario;
}

describe('shardSlice', () => {
  test('slices of every shard count partition every group size, contiguously', () => {
    for (const total of [0, 1, 2, 7, 10, 99, 1000, 100_003]) {
      for (const count of [1, 2, 3, 4, 7, 150]) {
        let next = 0;
        for (let index = 0; index < count; index++) {
          const s = shardSlice(total, { index, count });
          assert.equal(s.first, next, `total ${total}, shard ${index}/${count} starts where the previous ended`);
          next += s.count;
          assert.ok(s.count === Math.floor(total / count) || s.count === Math.ceil(total / count), 'even within one');
        }
        assert.equal(next, total, `total ${total} over ${count}`);
      }
    }
  });

  test('parseShard takes I/N and names what is wrong', () => {
    assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
    assert.deepEqual(parseShard(' 0/1 '), { index: 0, count: 1 });
    assert.match(parseShard('4/4') as string, /out of range 0-3/);
    assert.match(parseShard('1/0') as string, /at least 1/);
    assert.match(parseShard('a/b') as string, /expected I\/N/);
    assert.match(parseShard('-1/3') as string, /expected I\/N/);
  });
});

describe('hosts of a shard', () => {
  test('each shard hosts only its slice, the union over shards and hosts is the fleet', () => {
    const s = scenario([{ count: 31 }, { count: 10, ramp: 40 }, { count: 2 }]);
    const owners = s.groups.map((g) => new Array<number>(g.count).fill(0));
    for (let index = 0; index < 3; index++) {
      const hosts = shardGroups(s, 2, { index, count: 3 });
      const devices = hosts.flat().reduce((n, sh) => n + sh.count, 0);
      assert.equal(devices, shardDeviceCount(s, { index, count: 3 }));
      for (const sh of hosts.flat()) for (let i = sh.first; i < sh.first + sh.count; i++) owners[sh.group][i]++;
    }
    for (const o of owners) assert.ok(o.every((n) => n === 1), 'every device in exactly one shard and host');
    assert.equal(shardDeviceCount(s), 43);
  });

  test('rates divide: the shards\' hosts together get the fleet ramp and each group ramp', () => {
    const s = scenario([{ count: 31 }, { count: 10, ramp: 40 }, { count: 7 }], 900);
    let fleet = 0;
    let group1 = 0;
    for (let index = 0; index < 4; index++) {
      for (const shards of shardGroups(s, 3, { index, count: 4 })) {
        const r = hostRates(s, shards, s.ramp);
        fleet += r.connectRate;
        group1 += r.groupRates[1] ?? 0;
      }
    }
    assert.ok(Math.abs(fleet - 900) < 1e-9, `fleet ramp ${fleet}`);
    assert.ok(Math.abs(group1 - 40) < 1e-9, `group ramp ${group1}`);
  });

  test('the sizing view holds the shard\'s device counts (preflight sizes the shard\'s machine)', () => {
    const s = scenario([{ count: 100_001 }, { count: 3 }]);
    assert.deepEqual(shardSizingView(s, { index: 3, count: 4 }).groups.map((g) => g.count), [25_000, 0]);
    assert.equal(shardSizingView(s), s);
  });
});
