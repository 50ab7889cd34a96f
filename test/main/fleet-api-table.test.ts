// FLEET_API_TABLE is the one list of FleetApi methods: the interface, the table, the param
// schemas, the built preload, the bridge client and FleetService must name exactly the same ones.
// Part of this test is the typecheck: the @ts-expect-error lines fail `npm run typecheck` the day
// a table stops being checked against the interface.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { BridgeClient } from '../../renderer/api/bridge-client.ts';
import { FLEET_API_TABLE, FLEET_METHODS, FLEET_UPDATE_CHANNEL, fleetMethodsOver, isFleetMethod, type FleetApi, type FleetApiTable, type FleetMethodName } from '../../src/contract/fleet-api.ts';
import { FLEET_PARAM_SCHEMAS, type FleetParamSchemas } from '../../src/contract/fleet-params.ts';
import { FleetService } from '../../src/fleet/fleet-service.ts';
import { loadPreload } from './helpers/preload-sandbox.ts';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// The table's keys are the interface's members, no more and no fewer.
const tableNamesAreTheInterface: Same<keyof typeof FLEET_API_TABLE, keyof FleetApi> = true;
const schemaNamesAreTheMethods: Same<keyof typeof FLEET_PARAM_SCHEMAS, FleetMethodName> = true;

const { detach: _detach, ...tableWithoutDetach } = FLEET_API_TABLE;
// @ts-expect-error a table missing a method is not a FleetApiTable
const missing: FleetApiTable = tableWithoutDetach;
const extra: FleetApiTable = {
  ...FLEET_API_TABLE,
  // @ts-expect-error nor is one with a method the interface does not have
  shutdown: { kind: 'invoke', channel: 'fleet:shutdown', params: [], required: 0 },
};
const wrongArity: FleetApiTable = {
  ...FLEET_API_TABLE,
  // @ts-expect-error start takes one parameter (scenario), and it is required
  start: { kind: 'invoke', channel: 'fleet:start', params: [], required: 0 },
};
const wrongChannel: FleetApiTable = {
  ...FLEET_API_TABLE,
  // @ts-expect-error each method has its own channel
  stop: { kind: 'invoke', channel: 'fleet:start', params: [], required: 0 },
};
const wrongSchema: FleetParamSchemas = {
  ...FLEET_PARAM_SCHEMAS,
  // @ts-expect-error setRamp takes a number: a schema of something else does not fit the interface
  setRamp: [z.string()],
};
void [tableNamesAreTheInterface, schemaNamesAreTheMethods, missing, extra, wrongArity, wrongChannel, wrongSchema];

const tableNames = () => Object.keys(FLEET_API_TABLE).sort();

describe('FLEET_API_TABLE', () => {
  test('names every method once, each on its own fleet:<name> channel; onUpdate is the one push', () => {
    assert.deepEqual([...FLEET_METHODS].sort(), tableNames().filter((n) => n !== 'onUpdate'));
    for (const name of FLEET_METHODS) {
      const entry = FLEET_API_TABLE[name];
      assert.equal(entry.kind, 'invoke', name);
      assert.equal(entry.channel, `fleet:${name}`);
      assert.ok(entry.required >= 0 && entry.required <= entry.params.length, name);
    }
    assert.deepEqual(FLEET_API_TABLE.onUpdate, { kind: 'subscribe', channel: 'fleet:update' });
    assert.equal(FLEET_UPDATE_CHANNEL, 'fleet:update');
    const channels = Object.values(FLEET_API_TABLE).map((e) => e.channel);
    assert.equal(new Set(channels).size, channels.length, 'no channel serves two methods');
  });

  test('isFleetMethod knows the methods, and nothing else (not onUpdate, not Object.prototype)', () => {
    for (const name of FLEET_METHODS) assert.ok(isFleetMethod(name), name);
    for (const other of ['onUpdate', 'shutdown', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 1, null, undefined]) assert.equal(isFleetMethod(other), false, String(other));
  });

  test('the param schemas cover the same methods, one schema per parameter; optional ones accept leaving it out', () => {
    assert.deepEqual(Object.keys(FLEET_PARAM_SCHEMAS).sort(), [...FLEET_METHODS].sort());
    for (const name of FLEET_METHODS) {
      const schemas: readonly z.ZodType[] = FLEET_PARAM_SCHEMAS[name];
      const { params, required }: { params: readonly string[]; required: number } = FLEET_API_TABLE[name];
      assert.equal(schemas.length, params.length, name);
      for (let i = required; i < params.length; i++) assert.ok(schemas[i].safeParse(undefined).success, `${name}: ${params[i]} may be left out`);
    }
  });

  test('the built preload exposes exactly the table, each method on its channel', async () => {
    const { exposed, invoked, listeners } = loadPreload();
    const api = exposed[0][1] as Record<string, (...args: unknown[]) => unknown>;
    assert.deepEqual(Object.keys(api).sort(), tableNames());
    for (const name of FLEET_METHODS) await api[name]();
    assert.deepEqual(
      invoked.map(([channel]) => channel),
      FLEET_METHODS.map((name) => FLEET_API_TABLE[name].channel),
    );
    api.onUpdate(() => {});
    assert.deepEqual([...listeners.keys()], [FLEET_API_TABLE.onUpdate.channel]);
  });

  test('the bridge client and FleetService have a function for every table entry', () => {
    const client = new BridgeClient('ws://127.0.0.1:1/api', () => ({ send() {}, close() {} }));
    try {
      for (const name of tableNames()) assert.equal(typeof (client as unknown as Record<string, unknown>)[name], 'function', `BridgeClient.${name}`);
    } finally {
      client.close();
    }
    for (const name of tableNames()) assert.equal(typeof (FleetService.prototype as unknown as Record<string, unknown>)[name], 'function', `FleetService.${name}`);
  });
});

describe('fleetMethodsOver', () => {
  const sent: Array<[FleetMethodName, unknown[]]> = [];
  const methods = fleetMethodsOver(async (method, params) => {
    sent.push([method, params]);
    return method;
  });

  test('sends each call under its own name with its parameters, and answers with what came back', async () => {
    sent.length = 0;
    assert.equal(await methods.runDevices('run-1', { offset: 0, limit: 5 }), 'runDevices');
    assert.equal(await methods.status(), 'status');
    assert.deepEqual(sent, [
      ['runDevices', ['run-1', { offset: 0, limit: 5 }]],
      ['status', []],
    ]);
  });

  test('drops arguments past the parameters and trailing optional ones left undefined, never a required one', async () => {
    sent.length = 0;
    const call = methods as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    await call.exportRun('run-1', '/tmp/elsewhere.zip');
    await call.stop('extra');
    await call.certsInit(undefined);
    await call.startCapacity({ groups: [] }, undefined);
    await call.importRun();
    await call.start(undefined);
    assert.deepEqual(sent, [
      ['exportRun', ['run-1']],
      ['stop', []],
      ['certsInit', []],
      ['startCapacity', [{ groups: [] }]],
      ['importRun', []],
      ['start', [undefined]],
    ]);
  });
});
