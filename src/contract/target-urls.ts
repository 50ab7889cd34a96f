// The URLs groups name their targets by, and which of them speak TLS. Kept apart from the
// scenario schema so device hosts can use them without loading the validator.

export const EMBEDDED_URLS = {
  mqtt: 'embedded:mqtt',
  'mqtt-ws': 'embedded:mqtt-ws',
  ws: 'embedded:ws',
  mqtts: 'embedded:mqtts',
  'mqtt-wss': 'embedded:mqtt-wss',
  wss: 'embedded:wss',
} as const;
export const EMBEDDED_MQTT: readonly string[] = [EMBEDDED_URLS.mqtt, EMBEDDED_URLS['mqtt-ws'], EMBEDDED_URLS.mqtts, EMBEDDED_URLS['mqtt-wss']];
export const EMBEDDED_WS: readonly string[] = [EMBEDDED_URLS.ws, EMBEDDED_URLS.wss];
/** The embedded target's TLS listeners, as groups name them. */
export const EMBEDDED_TLS_URLS: readonly string[] = [EMBEDDED_URLS.mqtts, EMBEDDED_URLS['mqtt-wss'], EMBEDDED_URLS.wss];

/** True for URLs that connect with TLS (mqtts, ssl, wss and the embedded TLS listeners). */
export function isTlsUrl(url: string): boolean {
  return /^(mqtts|ssl|wss):\/\//.test(url) || EMBEDDED_TLS_URLS.includes(url);
}

/** Placeholders a certificate path may contain to name one file per device. */
const PER_DEVICE = /\{(id|index|group)\}/;

export function isPerDevicePath(path: string | undefined): boolean {
  return path !== undefined && PER_DEVICE.test(path);
}
