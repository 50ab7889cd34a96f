import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorWithReasonCode } from 'mqtt';
import { reasonOf, serverDisconnectReason } from '../../../src/engine/disconnect-reason.ts';

const withCode = (message: string, code: unknown) => Object.assign(new Error(message), { code });

describe('reasonOf', () => {
  test('non-objects and empty errors are unknown', () => {
    for (const err of [undefined, null, 0, '', 'ECONNRESET', 42, {}, new Error('')]) {
      assert.equal(reasonOf(err), 'unknown', String(err));
    }
  });

  test('a string code names the reason', () => {
    assert.equal(reasonOf(withCode('read ECONNRESET', 'ECONNRESET')), 'ECONNRESET');
    assert.equal(reasonOf(withCode('connect ECONNREFUSED 127.0.0.1:1883', 'ECONNREFUSED')), 'ECONNREFUSED');
    assert.equal(reasonOf({ code: 'EPIPE' }), 'EPIPE');
  });

  test('the code wins over the message', () => {
    assert.equal(reasonOf(withCode('Keepalive timeout', 'ETIMEDOUT')), 'ETIMEDOUT');
    assert.equal(reasonOf(withCode('Unexpected server response: 503', 'ECONNRESET')), 'ECONNRESET');
  });

  test('TLS and certificate codes are prefixed with tls:', () => {
    for (const code of [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'ERR_SSL_WRONG_VERSION_NUMBER',
      'CERT_HAS_EXPIRED',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'HOSTNAME_MISMATCH',
      'ERR_OSSL_EVP_BAD_DECRYPT',
    ]) {
      assert.equal(reasonOf(withCode('tls failure', code)), `tls:${code}`);
    }
  });

  test('TLS alerts from the peer are named by the alert, one reason per alert', () => {
    assert.equal(reasonOf(withCode('alert', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED')), 'tls-alert:certificate-expired');
    assert.equal(reasonOf(withCode('alert', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA')), 'tls-alert:unknown-ca');
    assert.equal(reasonOf(withCode('alert', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED')), 'tls-alert:certificate-required');
    assert.equal(reasonOf(withCode('alert', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE')), 'tls-alert:bad-certificate');
  });

  test('codes that merely contain a TLS word are not TLS', () => {
    assert.equal(reasonOf({ code: 'E_CERT_HAS_EXPIRED' }), 'E_CERT_HAS_EXPIRED');
  });

  test('a numeric code is a refused CONNACK', () => {
    assert.equal(reasonOf({ code: 99 }), 'connack-refused:99');
    assert.equal(reasonOf(new ErrorWithReasonCode('Connection refused: Not authorized', 5)), 'connack-refused:not-authorized');
    assert.equal(reasonOf(new ErrorWithReasonCode('Connection refused: Bad User Name or Password', 134)), 'connack-refused:bad-username-or-password');
    assert.equal(reasonOf(new ErrorWithReasonCode('Connection refused: Server busy', 137)), 'connack-refused:server-busy');
    assert.equal(reasonOf({ code: 4 }), reasonOf({ code: 134 }), 'MQTT 3.1.1 and 5 codes for the same refusal agree');
  });

  test('mqtt.js and ws timeouts', () => {
    assert.equal(reasonOf(new Error('Keepalive timeout')), 'keepalive-timeout');
    assert.equal(reasonOf(new Error('connack timeout')), 'connect-timeout');
    assert.equal(reasonOf(new Error('Opening handshake has timed out')), 'connect-timeout');
  });

  test('HTTP status of a refused WebSocket upgrade', () => {
    assert.equal(reasonOf(new Error('Unexpected server response: 503')), 'http-503');
    assert.equal(reasonOf(new Error('Unexpected server response: 401')), 'http-401');
  });

  test('messages mentioning certificates or TLS without a code are tls:error', () => {
    assert.equal(reasonOf(new Error('self signed certificate')), 'tls:error');
    assert.equal(reasonOf(new Error('Client network socket disconnected before secure TLS connection was established')), 'tls:error');
    assert.equal(reasonOf(new Error('SSL routines failed')), 'tls:error');
  });

  test('anything else is error: with the message cut to 60 characters', () => {
    assert.equal(reasonOf(new Error('stream ended')), 'error:stream ended');
    const long = 'x'.repeat(100);
    assert.equal(reasonOf(new Error(long)), `error:${'x'.repeat(60)}`);
    assert.equal(reasonOf({ message: 'plain object' }), 'error:plain object');
    assert.equal(reasonOf({ message: 42 }), 'unknown');
  });
});

describe('serverDisconnectReason', () => {
  test('0x8E (session taken over) is a takeover; other codes keep their number', () => {
    assert.equal(serverDisconnectReason(0x8e), 'takeover');
    assert.equal(serverDisconnectReason(0x8b), 'server-disconnect:139');
    assert.equal(serverDisconnectReason(undefined), 'server-disconnect:0');
  });
});
