// Before a run starts: decides which test PKI the embedded target's TLS listeners serve, points
// embedded TLS groups without TLS settings at it, and checks every certificate file a run will
// read (CA, shared cert/key/PKCS#12, the first device's per-device files), so a missing file or
// a wrong passphrase is reported by field before any process starts.
import { existsSync, readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { DeviceGroup, Scenario } from '../contract/scenario.ts';
import { EMBEDDED_TLS_URLS } from '../contract/scenario.ts';
import type { TargetTls } from '../contract/target.ts';
import { isPerDevicePath, tlsOptionsSchema } from '../contract/tls-options.ts';
import { render } from '../shared/templates.ts';
import { defaultPkiDir, initTestPki, PkiError, readPki, resolvePkiDir } from '../pki/test-pki.ts';

export interface TlsPlan {
  /** The scenario with embedded TLS groups given the target's PKI. */
  scenario: Scenario;
  /** The embedded target's TLS listeners, when the run needs them. */
  targetTls?: TargetTls;
  /** Things worth telling the user (a test PKI created on the fly). */
  notes: string[];
}

export class TlsPreflightError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

const usesEmbeddedTls = (g: DeviceGroup) => EMBEDDED_TLS_URLS.includes(g.url);

/** The PKI the embedded target serves: embedded.tls.pki, else the first embedded TLS group's pki, else the default one. */
function targetPkiOf(scenario: Scenario): { dir: string; field: string } {
  if (scenario.embedded.tls?.pki) return { dir: scenario.embedded.tls.pki, field: 'embedded.tls.pki' };
  const i = scenario.groups.findIndex((g) => usesEmbeddedTls(g) && g.tls?.pki);
  if (i >= 0) return { dir: scenario.groups[i].tls!.pki!, field: `groups[${i}].tls.pki` };
  return { dir: defaultPkiDir(), field: 'embedded.tls.pki' };
}


async function checkPki(dir: string, field: string, problems: string[]): Promise<void> {
  try {
    await readPki(dir);
  } catch (err) {
    problems.push(`${field}: ${err instanceof PkiError ? err.message : (err as Error).message}`);
  }
}

/** Checks one group's files: shared material is loaded into a SecureContext as a run would. */
function checkFiles(g: DeviceGroup, i: number, problems: string[]): void {
  const t = g.tls;
  if (!t || t.pki) return;
  const at = `groups[${i}].tls`;
  const first = { id: render(g.clientId, { index: 0, group: g.name }), index: 0, group: g.name };
  let missing = false;
  /** The file as the first device reads it, or undefined (with a problem) when it cannot be read. */
  const read = (field: 'ca' | 'cert' | 'key' | 'pfx'): Buffer | undefined => {
    const path = t[field];
    if (!path) return undefined;
    const actual = isPerDevicePath(path) ? render(path, first) : path;
    try {
      return readFileSync(actual);
    } catch (err) {
      missing = true;
      problems.push(`${at}.${field}: cannot read "${actual}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}${actual !== path ? ` (device ${first.id})` : ''}`);
      return undefined;
    }
  };
  const [ca, cert, key, pfx] = [read('ca'), read('cert'), read('key'), read('pfx')];
  if (missing) return;
  try {
    tls.createSecureContext({ ca, cert, key: key ?? cert, pfx, passphrase: t.passphrase });
  } catch (err) {
    problems.push(`${at}: ${(err as Error).message}${[t.cert, t.key, t.pfx].some(isPerDevicePath) ? ` (device ${first.id})` : ''}`);
  }
}

export async function planTls(scenario: Scenario): Promise<TlsPlan> {
  const problems: string[] = [];
  const notes: string[] = [];
  let targetTls: TargetTls | undefined;
  let groups = scenario.groups;
  const embeddedTls = scenario.target === 'embedded' && (scenario.groups.some(usesEmbeddedTls) || scenario.embedded.tls !== undefined);
  if (embeddedTls) {
    const { dir, field } = targetPkiOf(scenario);
    // The default PKI is made on first use, so embedded TLS works out of the box.
    if (resolvePkiDir(dir) === resolvePkiDir(defaultPkiDir()) && !existsSync(resolvePkiDir(dir))) {
      await initTestPki(dir);
      notes.push(`created a test PKI in ${resolvePkiDir(dir)} (fleetsim certs init)`);
    }
    await checkPki(dir, field, problems);
    targetTls = { pki: resolvePkiDir(dir), clientCerts: scenario.embedded.tls?.clientCerts ?? 'require' };
    const pki = targetTls.pki;
    // Embedded TLS groups that bring no identity or trust of their own use the target's PKI.
    const ownMaterial = (g: DeviceGroup) => g.tls && (g.tls.pki || g.tls.ca || g.tls.cert || g.tls.pfx);
    groups = groups.map((g) => (usesEmbeddedTls(g) && !ownMaterial(g) ? { ...g, tls: { ...tlsOptionsSchema.parse({}), ...g.tls, pki } } : g));
  }
  for (const [i, g] of groups.entries()) {
    if (g.tls?.pki && !(embeddedTls && resolvePkiDir(g.tls.pki) === targetTls?.pki)) await checkPki(g.tls.pki, `groups[${i}].tls.pki`, problems);
    checkFiles(g, i, problems);
  }
  if (problems.length > 0) throw new TlsPreflightError(problems);
  return { scenario: { ...scenario, groups }, targetTls, notes };
}
