// Source addresses a group binds to must exist on this machine: the preflight refuses one that
// does not (naming the group's field), before any device tries to bind it. On Linux all of
// 127.0.0.0/8 is local.
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { test } from 'node:test';
import { validateScenario } from '../../src/contract/validate.ts';
import { readMachineFacts } from '../../src/fleet/machine-facts.ts';
import { preflight } from '../../src/fleet/preflight.ts';

const local = Object.values(networkInterfaces()).flatMap((list) => list ?? []).map((i) => i.address);
/** TEST-NET-1 and the IPv6 documentation prefix: addresses no machine here has. */
const FOREIGN_V4 = ['192.0.2.1', '192.0.2.2', '192.0.2.3'].find((a) => !local.includes(a))!;
const FOREIGN_V6 = '2001:db8::1';

function addressChecks(sourceAddresses: string | string[], url = 'mqtt://127.0.0.1:1883') {
  const v = validateScenario({ target: 'external', groups: [{ name: 'm', protocol: 'mqtt', url, count: 4, sourceAddresses }] });
  assert.ok(v.ok, v.ok ? '' : v.problems.join('\n'));
  return preflight(v.scenario, readMachineFacts()).checks.filter((c) => c.topic === 'addresses');
}

test('the machine facts list the addresses of this machine', () => {
  const facts = readMachineFacts();
  assert.ok(facts.localAddresses?.includes('127.0.0.1'), JSON.stringify(facts.localAddresses));
});

test('an address this machine does not have is an error naming the group field and the address', () => {
  const [check] = addressChecks(['127.0.0.2', FOREIGN_V4]);
  assert.equal(check.level, 'error');
  assert.match(check.message, new RegExp(`groups\\[0\\]\\.sourceAddresses: ${FOREIGN_V4.replace(/\./g, '\\.')} is not an address of this machine`));
  assert.ok(check.fix);
  const [v6] = addressChecks(FOREIGN_V6, 'mqtt://[::1]:1883');
  assert.equal(v6.level, 'error');
  assert.match(v6.message, /2001:db8::1/);
});

test('loopback addresses (all of 127.0.0.0/8 on Linux) and the machine\'s own pass', () => {
  const [check] = addressChecks('127.0.0.1-127.0.0.40');
  assert.equal(check.level, 'ok', check.message);
  const own = local.find((a) => !a.includes(':') && !a.startsWith('127.'));
  if (own) assert.equal(addressChecks(own)[0].level, 'ok');
});

test('no source addresses: no address check', () => {
  const v = validateScenario({ target: 'external', groups: [{ name: 'm', protocol: 'mqtt', url: 'mqtt://127.0.0.1:1883', count: 4 }] });
  assert.ok(v.ok);
  assert.deepEqual(preflight(v.scenario, readMachineFacts()).checks.filter((c) => c.topic === 'addresses'), []);
});
