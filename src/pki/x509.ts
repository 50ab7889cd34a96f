// Certificate issuing for the test PKI, on @peculiar/x509 over Node's WebCrypto. Keys are
// ECDSA P-256: fast to make and small to hold, which matters when every device has its own.
import type * as X509 from '@peculiar/x509';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import { commonJsExports } from '../contract/commonjs-exports.ts';

let loaded: Promise<typeof X509> | null = null;
/**
 * The library, loaded on first use: a device host that issues no certificate never pays for it
 * (~7 MB resident per process).
 */
function lib(): Promise<typeof X509> {
  return (loaded ??= (async () => {
    await import('reflect-metadata'); // its dependency injection needs the Reflect polyfill first
    const x509 = commonJsExports<typeof X509>(await import('@peculiar/x509'));
    // The library types its provider with the DOM Crypto type; Node's webcrypto is that API.
    x509.cryptoProvider.set(webcrypto as never);
    return x509;
  })());
}

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const subtle = webcrypto.subtle;
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A certificate and its private key, both PEM. */
export interface PemPair {
  cert: string;
  key: string;
}

/** An issuer ready to sign: its certificate and its private key. */
export interface Issuer {
  cert: X509.X509Certificate;
  key: CryptoKey;
  /** Its Authority Key Identifier extension, made once (it is the same in every certificate it signs). */
  aki?: Promise<X509.AuthorityKeyIdentifierExtension>;
}

export type CertProfile =
  | { kind: 'ca' }
  | { kind: 'server'; names: string[] }
  | { kind: 'client' };

export interface IssueRequest {
  commonName: string;
  profile: CertProfile;
  /** Signed by this issuer; none: self-signed (a CA). */
  issuer?: Issuer;
  notBefore: Date;
  notAfter: Date;
}

/** A positive 128-bit serial (the top bit clear so DER does not read it as negative). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

function subjectAltNames(x509: typeof X509, names: string[]): X509.SubjectAlternativeNameExtension {
  return new x509.SubjectAlternativeNameExtension(names.map((n) => ({ type: isIP(n) ? ('ip' as const) : ('dns' as const), value: n })));
}

/** The key identifier (SHA-1 of the public key bits, RFC 5280 method 1), hashed natively: the library's way costs more than the rest of a certificate. */
async function subjectKeyId(x509: typeof X509, publicKey: CryptoKey): Promise<X509.SubjectKeyIdentifierExtension> {
  const raw = Buffer.from(await subtle.exportKey('raw', publicKey));
  return new x509.SubjectKeyIdentifierExtension(createHash('sha1').update(raw).digest('hex'));
}

async function extensionsFor(x509: typeof X509, profile: CertProfile, publicKey: CryptoKey, issuer: Issuer | undefined): Promise<X509.Extension[]> {
  const exts: X509.Extension[] = [await subjectKeyId(x509, publicKey)];
  if (issuer) exts.push(await (issuer.aki ??= x509.AuthorityKeyIdentifierExtension.create(issuer.cert)));
  switch (profile.kind) {
    case 'ca':
      exts.push(new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true));
      break;
    case 'server':
      exts.push(
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        subjectAltNames(x509, profile.names),
      );
      break;
    case 'client':
      exts.push(
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      );
      break;
  }
  return exts;
}

/** "CN=…" with the characters RFC 4514 wants escaped escaped, so any client id is a valid name. */
function cnName(commonName: string): string {
  return `CN=${commonName.replace(/([,+"\\<>;=#])/g, '\\$1').replace(/^ | $/g, '\\ ')}`;
}

export async function issue(req: IssueRequest): Promise<{ pem: PemPair; issuer: Issuer }> {
  const x509 = await lib();
  const keys = (await subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const name = cnName(req.commonName);
  const extensions = await extensionsFor(x509, req.profile, keys.publicKey, req.issuer);
  const common = { serialNumber: serial(), notBefore: req.notBefore, notAfter: req.notAfter, signingAlgorithm: SIGNING, extensions };
  const cert = req.issuer
    ? await x509.X509CertificateGenerator.create({ ...common, subject: name, issuer: req.issuer.cert.subject, publicKey: keys.publicKey, signingKey: req.issuer.key })
    : await x509.X509CertificateGenerator.createSelfSigned({ ...common, name, keys });
  const pkcs8 = await subtle.exportKey('pkcs8', keys.privateKey);
  return { pem: { cert: cert.toString('pem') + '\n', key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') + '\n' }, issuer: { cert, key: keys.privateKey } };
}

/** Loads an issuer (a CA) from its PEM certificate and PKCS#8 key. */
export async function loadIssuer(certPem: string, keyPem: string): Promise<Issuer> {
  const x509 = await lib();
  const cert = new x509.X509Certificate(certPem);
  const der = x509.PemConverter.decodeFirst(keyPem);
  const key = await subtle.importKey('pkcs8', der, EC, false, ['sign']);
  return { cert, key };
}

/** Validity starting a little in the past (clock skew between hosts) and lasting `days`. */
export function validFor(days: number, now = Date.now()): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now - DAY_MS), notAfter: new Date(now + days * DAY_MS) };
}

/** Validity that ended yesterday: for the expired-certificate negative group. */
export function expired(now = Date.now()): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now - 30 * DAY_MS), notAfter: new Date(now - DAY_MS) };
}
