// Per-device client certificates (CN = client id), issued from a test PKI on first use and
// cached on disk, so a 50k-device fleet pays for issuing once and later runs just read files.
// Negative variants make certificates a broker must refuse: expired, from a CA it does not
// trust, or naming another client.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEVICES_DIR, type PkiInfo } from './test-pki.ts';
import { expired, issue, loadIssuer, validFor, type Issuer } from './x509.ts';

export const CERT_VARIANTS = ['valid', 'expired', 'unknown-ca', 'wrong-cn'] as const;
export type CertVariant = (typeof CERT_VARIANTS)[number];

const DEVICE_DAYS = 3650;

/** A file name for any client id: URL-encoded, or hashed when too long for a file system. */
export function certFileName(id: string): string {
  const safe = encodeURIComponent(id).replace(/^\./, '%2E');
  return safe.length <= 200 ? `${safe}.pem` : `${createHash('sha256').update(id).digest('hex')}.pem`;
}

/** The common name a variant's certificate carries for device `id`. */
export function commonNameFor(id: string, variant: CertVariant): string {
  return variant === 'wrong-cn' ? `not-${id}` : id;
}

export class DeviceCertStore {
  readonly dir: string;
  private issuer: Promise<Issuer> | null = null;
  private dirReady: Promise<unknown> | null = null;
  private readonly pending = new Map<string, Promise<string>>();
  private tmpSeq = 0;
  /** Certificates this store issued (not found on disk). */
  issued = 0;

  constructor(
    private readonly pki: Pick<PkiInfo, 'dir' | 'files'>,
    readonly variant: CertVariant,
  ) {
    this.dir = join(pki.dir, DEVICES_DIR, variant);
  }

  /** The file holding device `id`'s private key and certificate (PEM, key first). */
  pathOf(id: string): string {
    return join(this.dir, certFileName(id));
  }

  has(id: string): boolean {
    return existsSync(this.pathOf(id));
  }

  /** Device `id`'s key and certificate, issuing them first if they are not on disk yet. */
  async ensure(id: string): Promise<string> {
    const path = this.pathOf(id);
    if (existsSync(path)) return path;
    let pending = this.pending.get(id);
    if (!pending) {
      pending = this.issueTo(id, path).finally(() => this.pending.delete(id));
      this.pending.set(id, pending);
    }
    return pending;
  }

  /**
   * ensure() for many devices, `concurrency` at a time (issuing is async: key generation and
   * signing overlap); `progress` is told how many are done after each one.
   */
  async ensureAll(ids: readonly string[], concurrency = 64, progress?: (done: number) => void): Promise<void> {
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < ids.length) {
        await this.ensure(ids[next++]);
        progress?.(++done);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  }

  /** The PEM (key and certificate) of a device whose certificate exists; see ensure(). */
  read(id: string): Buffer {
    return readFileSync(this.pathOf(id));
  }

  private signer(): Promise<Issuer> {
    const [cert, key] = this.variant === 'unknown-ca' ? [this.pki.files.unknownCa, this.pki.files.unknownCaKey] : [this.pki.files.ca, this.pki.files.caKey];
    return (this.issuer ??= Promise.all([readFile(cert, 'utf8'), readFile(key, 'utf8')]).then(([c, k]) => loadIssuer(c, k)));
  }

  private async issueTo(id: string, path: string): Promise<string> {
    await (this.dirReady ??= mkdir(this.dir, { recursive: true, mode: 0o700 }));
    const { pem } = await issue({
      commonName: commonNameFor(id, this.variant),
      profile: { kind: 'client' },
      issuer: await this.signer(),
      ...(this.variant === 'expired' ? expired() : validFor(DEVICE_DAYS)),
    });
    // Written whole under a temporary name, then renamed: a crash or a second host racing for
    // the same id never leaves a half-written file behind.
    const tmp = `${path}.${process.pid}-${++this.tmpSeq}.tmp`;
    await writeFile(tmp, pem.key + pem.cert, { mode: 0o600 });
    await rename(tmp, path);
    this.issued++;
    return path;
  }
}
