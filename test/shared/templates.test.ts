import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasPerMessageFields, padTo, render, roomOf } from '../../src/shared/templates.ts';

describe('render', () => {
  test('replaces every known placeholder', () => {
    assert.equal(
      render('{id}|{index}|{group}|{room}|{seq}|{ts}', { id: 'dev-7', index: 7, group: 'g', room: 'room-0', seq: 3, ts: 1700000000000 }),
      'dev-7|7|g|room-0|3|1700000000000',
    );
  });

  test('replaces repeated placeholders', () => {
    assert.equal(render('{group}-{index}-{index}/{group}', { group: 'a', index: 2 }), 'a-2-2/a');
  });

  test('zero values are rendered, not dropped', () => {
    assert.equal(render('dev-{index}/{seq}', { index: 0, seq: 0 }), 'dev-0/0');
    assert.equal(render('{id}', { id: '' }), '');
  });

  test('placeholders without a value and unknown placeholders are left as written', () => {
    assert.equal(render('devices/{id}/{room}', { id: 'x' }), 'devices/x/{room}');
    assert.equal(render('{name}-{index}', { index: 1 }), '{name}-1');
    assert.equal(render('{ index }{Index}', { index: 1 }), '{ index }{Index}');
  });

  test('text without braces comes back unchanged', () => {
    assert.equal(render('plain/topic', { id: 'x' }), 'plain/topic');
    assert.equal(render('', {}), '');
  });

  test('values are inserted literally ($ patterns are not special)', () => {
    assert.equal(render('{id}', { id: '$&$1$$' }), '$&$1$$');
  });

  test('JSON payload templates keep their own braces', () => {
    assert.equal(render('{"id":"{id}","seq":{seq}}', { id: 'd', seq: 9 }), '{"id":"d","seq":9}');
  });
});

describe('hasPerMessageFields', () => {
  test('is true for {seq} or {ts}, false otherwise', () => {
    assert.equal(hasPerMessageFields('{"seq":{seq}}'), true);
    assert.equal(hasPerMessageFields('t={ts}'), true);
    assert.equal(hasPerMessageFields('{id}/{index}/{group}/{room}'), false);
    assert.equal(hasPerMessageFields('seq ts'), false);
  });
});

describe('padTo', () => {
  test('pads with "x" up to the byte count', () => {
    assert.equal(padTo('abc', 8), 'abcxxxxx');
    assert.equal(padTo('', 3), 'xxx');
  });

  test('never truncates', () => {
    assert.equal(padTo('abcdef', 3), 'abcdef');
    assert.equal(padTo('abc', 3), 'abc');
    assert.equal(padTo('abc', 0), 'abc');
  });

  test('counts UTF-8 bytes, not characters', () => {
    const padded = padTo('é€', 8); // 2 + 3 bytes
    assert.equal(padded, 'é€xxx');
    assert.equal(Buffer.byteLength(padded), 8);
    assert.equal(padTo('€€€', 8), '€€€', 'already 9 bytes');
  });
});

describe('roomOf', () => {
  test('groups consecutive indexes into rooms of roomSize', () => {
    assert.equal(roomOf(0, 50), 'room-0');
    assert.equal(roomOf(49, 50), 'room-0');
    assert.equal(roomOf(50, 50), 'room-1');
    assert.equal(roomOf(1234, 50), 'room-24');
    assert.equal(roomOf(7, 1), 'room-7');
  });
});
