// The Settings panel's store against a fake FleetApi: the form from the settings, only changed
// fields sent, numbers kept as typed when they are not numbers, problems by field.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FleetApi } from '../../src/contract/fleet-api.ts';
import type { AppSettings, SettingsResult } from '../../src/contract/runs.ts';
import { createSettingsStore, formFromSettings, problemsByField, settingsPatch } from '../../renderer/state/settings-store.ts';

const SAVED: AppSettings = { runsDir: '/home/q/.fleetsim/runs', record: true, metricsPort: null, eventLogMaxMB: 64 };

function fakeApi(answer: (patch: Record<string, unknown>) => SettingsResult) {
  const patches: Array<Record<string, unknown>> = [];
  let current = { ...SAVED };
  const api = {
    settings: async () => ({ ...current }),
    updateSettings: async (patch: Record<string, unknown>) => {
      patches.push(patch);
      const r = answer(patch);
      if (r.ok) current = r.settings;
      return r;
    },
  } as unknown as FleetApi;
  return { api, patches };
}

const accept = (patch: Record<string, unknown>): SettingsResult => ({ ok: true, settings: { ...SAVED, ...(patch as Partial<AppSettings>) } });

describe('settings store', () => {
  test('the form shows the settings; metrics off is no port, 0 is "any free port"', () => {
    assert.deepEqual(formFromSettings(SAVED), { runsDir: SAVED.runsDir, record: true, metricsOn: false, metricsPort: '', eventLogMaxMB: '64' });
    assert.deepEqual(formFromSettings({ ...SAVED, metricsPort: 0 }).metricsOn, true);
    assert.equal(formFromSettings({ ...SAVED, metricsPort: 0 }).metricsPort, '');
    assert.equal(formFromSettings({ ...SAVED, metricsPort: 9464 }).metricsPort, '9464');
  });

  test('only changed fields are sent; numbers as numbers, anything else as typed', () => {
    const form = formFromSettings(SAVED);
    assert.deepEqual(settingsPatch(form, SAVED), {});
    assert.deepEqual(settingsPatch({ ...form, metricsOn: true }, SAVED), { metricsPort: 0 });
    assert.deepEqual(settingsPatch({ ...form, metricsOn: true, metricsPort: ' 9464 ' }, SAVED), { metricsPort: 9464 });
    assert.deepEqual(settingsPatch({ ...form, metricsOn: true, metricsPort: 'abc' }, SAVED), { metricsPort: 'abc' });
    assert.deepEqual(settingsPatch({ ...form, metricsOn: false, metricsPort: '9464' }, SAVED), {}, 'off is off, whatever the port says');
    assert.deepEqual(settingsPatch({ ...form, eventLogMaxMB: '1.5', record: false, runsDir: ' ~/runs ' }, SAVED), { eventLogMaxMB: 1.5, record: false, runsDir: '~/runs' });
  });

  test('problems go to their field, without its name; the rest to the panel', () => {
    assert.deepEqual(problemsByField(['metricsPort: expected a port number 0-65535', 'runsDir: cannot create /x: EACCES', 'settings: cannot save /h/settings.json: EROFS']), {
      metricsPort: ['expected a port number 0-65535'],
      runsDir: ['cannot create /x: EACCES'],
      '': ['settings: cannot save /h/settings.json: EROFS'],
    });
  });

  test('load, edit, save: saved settings replace the form; a refusal keeps it and names the field', async () => {
    const { api, patches } = fakeApi((patch) => (patch.metricsPort === 70000 ? { ok: false, problems: ['metricsPort: expected a port number 0-65535 (0: any free port) or null (off), got 70000'] } : accept(patch)));
    const store = createSettingsStore(() => api);
    await store.load();
    assert.equal(store.getState().status, 'ready');
    assert.deepEqual(store.getState().saved, SAVED);

    store.setField('metricsOn', true);
    store.setField('metricsPort', '70000');
    await store.save();
    let s = store.getState();
    assert.deepEqual(patches, [{ metricsPort: 70000 }]);
    assert.deepEqual(s.problems.metricsPort, ['expected a port number 0-65535 (0: any free port) or null (off), got 70000']);
    assert.equal(s.form.metricsPort, '70000', 'the form keeps what was typed');
    assert.equal(s.savedAt, null);

    store.setField('metricsPort', '9464');
    assert.equal(store.getState().problems.metricsPort, undefined, 'editing the field clears its problem');
    await store.save();
    s = store.getState();
    assert.equal(s.saved?.metricsPort, 9464);
    assert.equal(s.form.metricsPort, '9464');
    assert.ok(s.savedAt);

    await store.save();
    assert.equal(patches.length, 2, 'nothing changed: nothing sent');

    store.setField('record', false);
    store.reset();
    assert.equal(store.getState().form.record, true, 'revert goes back to the saved settings');
  });

  test('a failed call is shown, not thrown', async () => {
    const api = {
      settings: async () => {
        throw new Error('not connected');
      },
      updateSettings: async () => {
        throw new Error('socket closed');
      },
    } as unknown as FleetApi;
    const store = createSettingsStore(() => api);
    await store.load();
    assert.equal(store.getState().status, 'error');
    assert.equal(store.getState().loadError, 'not connected');
    store.setField('record', false);
    await store.save();
    assert.deepEqual(store.getState().problems[''], ['socket closed']);
  });
});
