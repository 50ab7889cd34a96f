// The embedded target's TLS settings: one server configuration (certificates from a test PKI)
// shared by its TLS listeners, and the mutual-TLS identity check for MQTT clients.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import type { AuthenticateError, Client } from 'aedes';
import type { TargetTls } from '../contract/target.ts';

export interface TlsConfig {
  /** One context (key/cert served, ca.pem to verify clients) for every TLS connection of the target. */
  readonly context: SecureContext;
  /** The CA client certificates must come from. */
  readonly ca: X509Certificate;
  /** Mutual TLS: handshakes without a valid client certificate fail; MQTT CN must equal the client id. */
  readonly requireClientCerts: boolean;
}

const CLIENT_CERTS = ['require', 'none'] as const;

/** Throws a message naming the bad field (the options may come over IPC). */
export function checkTargetTls(tls: TargetTls): void {
  const { pki, clientCerts } = (tls ?? {}) as Partial<TargetTls>;
  if (typeof pki !== 'string' || pki === '') throw new RangeError(`tls.pki: expected a PKI directory, got ${JSON.stringify(pki)}`);
  if (!CLIENT_CERTS.includes(clientCerts as never)) {
    throw new RangeError(`tls.clientCerts: expected ${CLIENT_CERTS.join(' or ')}, got ${JSON.stringify(clientCerts)}`);
  }
}

/**
 * Reads the PKI's server key, certificate and CA once (a restart reuses them). Throws the PkiError
 * of a directory that is not a test PKI, whose message says how to make one.
 */
export async function loadTlsConfig(tls: TargetTls): Promise<TlsConfig> {
  checkTargetTls(tls);
  // Loaded lazily: the PKI module brings in the X.509 library, which only TLS targets need.
  const { readPki } = await import('../pki/test-pki.ts');
  const { files } = await readPki(tls.pki);
  const [key, cert, ca] = await Promise.all([readFile(files.serverKey), readFile(files.server), readFile(files.ca)]);
  const requireClientCerts = tls.clientCerts === 'require';
  return { context: createSecureContext({ key, cert, ca }), ca: new X509Certificate(ca), requireClientCerts };
}

/**
 * What is wrong with the certificate a client presented, judged after the handshake. Node's TLS
 * server cannot send the certificate_expired / unknown_ca alerts OpenSSL-based brokers send (it
 * accepts the handshake and checks in JavaScript), so the target answers such clients at the
 * protocol level instead, each problem distinctly (see certificateIdentityCheck).
 */
export type CertProblem = 'unknown-ca' | 'expired';

export function certProblemOf(socket: TLSSocket, ca: X509Certificate, now = Date.now()): CertProblem | null {
  const cert = socket.getPeerX509Certificate();
  if (!cert) return null; // none: refused in the handshake already when certificates are required
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'unknown-ca';
  if (now > Date.parse(cert.validTo) || now < Date.parse(cert.validFrom)) return 'expired';
  return null;
}

/** Certificate problems of the target's TLS sockets, noted when their handshake completes. */
export const certProblems = new WeakMap<TLSSocket, CertProblem>();

/** CONNACK return codes (MQTT 3.1.1) for clients whose certificate does not do. */
const REFUSAL = {
  /** Not a certificate the target can trust at all: bad credentials. */
  'unknown-ca': 4,
  /** A genuine but expired certificate: not authorized. */
  expired: 5,
  /** A valid certificate naming another client: that client id is not allowed on this connection. */
  'wrong-cn': 2,
} as const;

/** The subject CN of the peer's certificate, if it sent one. */
export function peerCommonName(socket: TLSSocket): string | undefined {
  const cn: unknown = socket.getPeerCertificate()?.subject?.CN;
  // A certificate with several CNs shows them as an array: it names no single client.
  return typeof cn === 'string' ? cn : undefined;
}

type AuthenticateHandler = (client: Client, username: unknown, password: unknown, done: (error: AuthenticateError | null, success: boolean | null) => void) => void;

/**
 * aedes' authenticate hook for mutual TLS: a client that came over TLS (its socket given by
 * `tlsSocketOf`) is accepted only with a certificate from the CA, within its validity, whose CN
 * is its client id. Otherwise CONNACK refused: unknown CA 4 (bad user name or password),
 * expired 5 (not authorized), CN not the client id 2 (identifier rejected). Clients of the plain
 * listeners have no TLS socket and pass.
 */
export function certificateIdentityCheck(tlsSocketOf: (client: Client) => TLSSocket | undefined): AuthenticateHandler {
  return (client, _username, _password, done) => {
    const socket = tlsSocketOf(client);
    if (!socket) return done(null, true);
    const refuse = (why: keyof typeof REFUSAL, message: string) =>
      done(Object.assign(new Error(message), { returnCode: REFUSAL[why] as AuthenticateError['returnCode'] }), false);
    const problem = certProblems.get(socket);
    if (problem) return refuse(problem, `client certificate: ${problem}`);
    const cn = peerCommonName(socket);
    if (cn === client.id) return done(null, true);
    refuse('wrong-cn', `certificate CN ${JSON.stringify(cn ?? null)} is not the client id ${JSON.stringify(client.id)}`);
  };
}
