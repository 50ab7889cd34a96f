// Opens TLS connections for devices and watches their handshakes: the handshake's own duration
// (its own histogram, apart from CONNACK), whether a session was resumed, and the session to
// resume next time.
import net from 'node:net';
import tls from 'node:tls';
import type { ClientOptions } from 'ws';
import type { DeviceLink } from './adapter.ts';
import type { TlsMaterial } from './tls-material.ts';
import { connectTlsOverTcp } from './socket-reset.ts';

function watchHandshake(socket: tls.TLSSocket, device: DeviceLink, resumption: boolean): void {
  let tcpConnectedAt = 0;
  socket.once('connect', () => (tcpConnectedAt = performance.now()));
  socket.once('secureConnect', () => {
    if (tcpConnectedAt > 0) device.tlsHandshake(performance.now() - tcpConnectedAt, socket.isSessionReused());
  });
  // TLS 1.3 sends session tickets after the handshake; the latest one is resumed next time.
  if (resumption) socket.on('session', (session: Buffer) => (device.tlsSession = session));
}

/**
 * tls.connect to host:port for `device`, from its source address, with `tlsOptions` from the
 * group's material (read before anything is opened: an unreadable file fails cleanly).
 */
export function connectTls(material: TlsMaterial, tlsOptions: tls.ConnectionOptions, device: DeviceLink, host: string, port: number): tls.TLSSocket {
  const options = { ...tlsOptions, host, port, localAddress: device.localAddress };
  // No SNI for an IP address (Node refuses it); the certificate is then checked against the IP.
  if (!options.servername && !net.isIP(host)) options.servername = host;
  const socket = connectTlsOverTcp(options);
  watchHandshake(socket, device, material.resumption);
  return socket;
}

/** `ws` client options for a wss:// connection of `device`: its TLS options and a watched connector. */
export function wsTlsOptions(material: TlsMaterial, device: DeviceLink, options = material.connectOptions(device)): ClientOptions {
  // ws calls this with its merged options (host, port, servername and ours) to open the socket.
  const createConnection = (merged: tls.ConnectionOptions & { host: string; port: number | string; localAddress?: string }): tls.TLSSocket => {
    const socket = connectTlsOverTcp(merged);
    watchHandshake(socket, device, material.resumption);
    return socket;
  };
  return { ...(options as ClientOptions), createConnection: createConnection as unknown as ClientOptions['createConnection'] };
}

/**
 * The socket a device's connection runs on: TCP from its source address, or TLS (watched) for
 * the secure schemes; with the event that says it is ready for the protocol to start.
 */
export function openTransport(
  url: URL,
  device: DeviceLink,
  material: TlsMaterial | null,
  tlsOptions: tls.ConnectionOptions | undefined,
): { socket: net.Socket; readyEvent: 'connect' | 'secureConnect' } {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const scheme = url.protocol.slice(0, -1);
  const secure = scheme === 'mqtts' || scheme === 'ssl' || scheme === 'wss';
  const port = Number(url.port || DEFAULT_PORTS[scheme] || 0);
  if (secure && material && tlsOptions) return { socket: connectTls(material, tlsOptions, device, host, port), readyEvent: 'secureConnect' };
  if (secure) throw new Error(`${scheme}:// needs the group's TLS settings`);
  return { socket: net.createConnection({ host, port, localAddress: device.localAddress, noDelay: true }), readyEvent: 'connect' };
}

const DEFAULT_PORTS: Record<string, number> = { mqtt: 1883, tcp: 1883, mqtts: 8883, ssl: 8883, ws: 80, wss: 443 };
