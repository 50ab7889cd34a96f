// Names a lost connection or failed attempt by kind, so failures can be counted by reason.

/** CONNACK return codes (MQTT 3.1.1) and reason codes (MQTT 5) by name. */
const CONNACK_CODES: Record<number, string> = {
  1: 'unacceptable-protocol-version',
  2: 'identifier-rejected',
  3: 'server-unavailable',
  4: 'bad-username-or-password',
  5: 'not-authorized',
  128: 'unspecified-error',
  132: 'unsupported-protocol-version',
  133: 'client-identifier-not-valid',
  134: 'bad-username-or-password',
  135: 'not-authorized',
  136: 'server-unavailable',
  137: 'server-busy',
  138: 'banned',
  140: 'bad-authentication-method',
  151: 'quota-exceeded',
  159: 'connection-rate-exceeded',
};

const TLS_CODE = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_OSSL)/;
/** A TLS alert the peer sent (e.g. the broker refusing our certificate), by its name. */
const TLS_ALERT = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z_]+)$/;

/**
 * The broker closed this connection because another one took its client id over. Only MQTT 5
 * says so (DISCONNECT with reason code 0x8E, "Session taken over"); under MQTT 3.1.1 the broker
 * just closes the connection, which looks like any other close and stays `server-close`.
 */
export const TAKEOVER = 'takeover';
const SESSION_TAKEN_OVER = 0x8e;

/** The reason for a broker's MQTT 5 DISCONNECT: `takeover`, or `server-disconnect:<code>`. */
export function serverDisconnectReason(code: number | undefined): string {
  return code === SESSION_TAKEN_OVER ? TAKEOVER : `server-disconnect:${code ?? 0}`;
}

/** A peer sent (or declared) a message over the group's maxMessageBytes: the device hung up. */
export const FRAME_TOO_LARGE = 'frame-too-large';

export function frameTooLarge(bytes: number, max: number): Error {
  return Object.assign(new Error(`a ${bytes}-byte message is over maxMessageBytes (${max})`), { code: FRAME_TOO_LARGE });
}

export function reasonOf(err: unknown): string {
  if (!err || typeof err !== 'object') return 'unknown';
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : '';
  if (typeof e.code === 'string') {
    const alert = TLS_ALERT.exec(e.code);
    if (alert) return `tls-alert:${alert[1].toLowerCase().replace(/_/g, '-')}`;
    if (TLS_CODE.test(e.code)) return `tls:${e.code}`;
    return e.code;
  }
  // mqtt.js reports a refused CONNACK as an error whose code is the return/reason code.
  if (typeof e.code === 'number') return `connack-refused:${CONNACK_CODES[e.code] ?? e.code}`;
  if (message === 'Keepalive timeout') return 'keepalive-timeout';
  if (message === 'connack timeout' || message.includes('handshake has timed out')) return 'connect-timeout';
  const http = /Unexpected server response: (\d+)/.exec(message);
  if (http) return `http-${http[1]}`;
  if (/certificate|tls|ssl/i.test(message)) return 'tls:error';
  return message ? `error:${message.slice(0, 60)}` : 'unknown';
}
