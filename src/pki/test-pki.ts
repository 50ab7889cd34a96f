// The built-in test PKI: a directory holding a test CA, a server certificate for the embedded
// target (or any broker told to trust the CA), and a second CA nobody trusts (for the
// unknown-CA negative group). Device certificates are issued into it on demand (device-certs.ts).
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { issue, validFor } from './x509.ts';
import { expandHome, fleetsimHome } from '../shared/home.ts';

/** File names inside a PKI directory (mosquitto and the embedded target read the first four). */
export const PKI_FILES = {
  ca: 'ca.pem',
  caKey: 'ca-key.pem',
  server: 'server.pem',
  serverKey: 'server-key.pem',
  unknownCa: 'unknown-ca.pem',
  unknownCaKey: 'unknown-ca-key.pem',
  manifest: 'pki.json',
} as const;

/** Device certificates live under <dir>/devices/<variant>/. */
export const DEVICES_DIR = 'devices';

/** Names every server certificate carries, besides those asked for. */
export const DEFAULT_SERVER_NAMES = ['localhost', '127.0.0.1', '::1'];

const CA_DAYS = 3650 * 2;
const LEAF_DAYS = 3650;

export interface PkiManifest {
  created: string;
  serverNames: string[];
  algorithm: 'ECDSA P-256 / SHA-256';
}

export interface PkiInfo {
  dir: string;
  /** False when the directory already held a PKI and it was kept. */
  created: boolean;
  manifest: PkiManifest;
  files: Record<keyof typeof PKI_FILES, string>;
}

/** Where `certs init` puts a PKI when no directory is given: $FLEETSIM_HOME/pki or ~/.fleetsim/pki. */
export function defaultPkiDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(fleetsimHome(env), 'pki');
}

/** Expands a leading ~ and makes the path absolute. */
export const resolvePkiDir = expandHome;

function filesOf(dir: string): PkiInfo['files'] {
  return Object.fromEntries(Object.entries(PKI_FILES).map(([k, f]) => [k, join(dir, f)])) as PkiInfo['files'];
}

/** The paths of a PKI's files (whether they exist or not) and its absolute directory. */
export function pkiFiles(dir: string): PkiInfo['files'] & { dir: string } {
  const abs = resolvePkiDir(dir);
  return { ...filesOf(abs), dir: abs };
}

async function writeAtomically(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, text, { mode });
  await chmod(tmp, mode); // the umask may have narrowed it further; keys stay 0600 either way
  await rename(tmp, path);
}

/** `dir` exists and is not an empty directory. */
function holdsAnything(dir: string): boolean {
  try {
    return readdirSync(dir).length > 0;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/** A problem with a PKI directory, worded for the person who has to fix it. */
export class PkiError extends Error {}

/** Reads the PKI in `dir`; throws a PkiError naming what is missing and how to create it. */
export async function readPki(dir: string): Promise<PkiInfo> {
  const abs = resolvePkiDir(dir);
  const files = filesOf(abs);
  const missing = (['ca', 'caKey', 'server', 'serverKey', 'manifest'] as const).filter((k) => !existsSync(files[k]));
  if (missing.length > 0) {
    throw new PkiError(`${abs} is not a test PKI (missing ${missing.map((k) => PKI_FILES[k]).join(', ')}): create one with "fleetsim certs init ${dir}"`);
  }
  const manifest = JSON.parse(await readFile(files.manifest, 'utf8')) as PkiManifest;
  return { dir: abs, created: false, manifest, files };
}

export interface InitOptions {
  /** Extra DNS names / IP addresses for the server certificate (localhost, 127.0.0.1 and ::1 are always in). */
  serverNames?: string[];
  /** Replace an existing PKI (its device certificates are deleted: they were issued by the old CA). */
  force?: boolean;
}

/**
 * Creates a test PKI in `dir`, or returns the one already there (created: false) unless `force`.
 * Writes ca.pem, ca-key.pem, server.pem, server-key.pem, unknown-ca.pem, unknown-ca-key.pem and
 * pki.json; private keys are mode 0600.
 */
export async function initTestPki(dir: string, options: InitOptions = {}): Promise<PkiInfo> {
  const abs = resolvePkiDir(dir);
  if (!options.force && existsSync(join(abs, PKI_FILES.manifest))) return readPki(abs);
  if (options.force && !existsSync(join(abs, PKI_FILES.manifest)) && holdsAnything(abs)) {
    // --force replaces a test PKI; it never deletes or overwrites files in a directory that is not one.
    throw new PkiError(`${abs} is not a test PKI (no ${PKI_FILES.manifest}): --force only replaces a test PKI; choose an empty or new directory`);
  }
  await mkdir(abs, { recursive: true, mode: 0o700 });
  if (options.force) await rm(join(abs, DEVICES_DIR), { recursive: true, force: true });
  const serverNames = [...new Set([...DEFAULT_SERVER_NAMES, ...(options.serverNames ?? [])])];
  const ca = await issue({ commonName: 'Fleetsim Test CA', profile: { kind: 'ca' }, ...validFor(CA_DAYS) });
  const server = await issue({ commonName: serverNames[0], profile: { kind: 'server', names: serverNames }, issuer: ca.issuer, ...validFor(LEAF_DAYS) });
  const unknown = await issue({ commonName: 'Fleetsim Unknown CA (never trusted)', profile: { kind: 'ca' }, ...validFor(CA_DAYS) });
  const files = filesOf(abs);
  await writeAtomically(files.ca, ca.pem.cert, 0o644);
  await writeAtomically(files.caKey, ca.pem.key, 0o600);
  await writeAtomically(files.server, server.pem.cert, 0o644);
  await writeAtomically(files.serverKey, server.pem.key, 0o600);
  await writeAtomically(files.unknownCa, unknown.pem.cert, 0o644);
  await writeAtomically(files.unknownCaKey, unknown.pem.key, 0o600);
  const manifest: PkiManifest = { created: new Date().toISOString(), serverNames, algorithm: 'ECDSA P-256 / SHA-256' };
  // The manifest last: its presence means the PKI is complete.
  await writeAtomically(files.manifest, JSON.stringify(manifest, null, 2) + '\n', 0o644);
  return { dir: abs, created: true, manifest, files };
}
