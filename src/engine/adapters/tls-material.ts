// A group's TLS material on one host, and the tls.connect options of each connection. Groups
// that present the same certificate on every connection (or none) share one SecureContext, so
// the CA and key are parsed once and held once; per-device certificates (a test PKI, a file-name
// template, per-device PKCS#12) are read from disk at each connect and never kept in memory.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { DeviceGroup } from '../../contract/scenario.ts';
import { isPerDevicePath } from '../../contract/target-urls.ts';
import type { TlsOptions } from '../../contract/tls-options.ts';
import { DeviceCertStore, type CertVariant } from '../../pki/device-certs.ts';
import { pkiFiles } from '../../pki/test-pki.ts';
import { render } from '../../shared/templates.ts';

/** The device side of a TLS connection: who it is, and the session it may resume. */
export interface TlsDevice {
  readonly id: string;
  readonly index: number;
  tlsSession: Buffer | undefined;
}

/** A certificate file that could not be read for one device: a failed attempt, not a crash. */
export class TlsFileError extends Error {
  readonly code = 'tls:cert-file-unreadable';
}

function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new TlsFileError(`${what} "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export class TlsMaterial {
  readonly options: TlsOptions | undefined;
  /** Where per-device certificates come from, when they are issued from a test PKI. */
  private readonly store: DeviceCertStore | null = null;
  private readonly ca: Buffer | undefined;
  private shared: tls.SecureContext | undefined;
  /** Per-device files (cert/key or pfx with {id}, {index} or {group}). */
  private readonly perDeviceFiles: boolean;

  constructor(private readonly group: DeviceGroup) {
    const t = (this.options = group.tls);
    if (t?.pki) {
      const files = pkiFiles(t.pki);
      this.ca = readFile(files.ca, `groups.${group.name}.tls.pki: CA certificate`);
      const variant: CertVariant | null = t.negative === 'no-cert' ? null : (t.negative ?? 'valid');
      if (variant) this.store = new DeviceCertStore({ dir: files.dir, files }, variant);
    } else if (t?.ca) {
      this.ca = readFile(t.ca, `groups.${group.name}.tls.ca`);
    }
    this.perDeviceFiles = !!t && [t.cert, t.key, t.pfx].some(isPerDevicePath);
    // Built now, so a bad file or passphrase fails the host's start with its reason.
    if (!this.store && !this.perDeviceFiles) this.shared = this.sharedContext();
  }

  /** True when the group connects with resumable sessions. */
  get resumption(): boolean {
    return this.options?.sessionResumption ?? false;
  }

  /**
   * Undefined when the device can connect now; otherwise a promise that issues its certificate
   * from the test PKI first (once: the certificate is cached on disk).
   */
  prepare(device: TlsDevice): Promise<unknown> | undefined {
    if (!this.store || this.store.has(device.id)) return undefined;
    return this.store.ensure(device.id);
  }

  /** tls.connect options for one connection of `device` (host, port and socket options aside). */
  connectOptions(device: TlsDevice): tls.ConnectionOptions {
    const t = this.options;
    const o: tls.ConnectionOptions = { rejectUnauthorized: t?.rejectUnauthorized ?? true };
    if (t?.servername) o.servername = t.servername;
    if (t?.alpn) o.ALPNProtocols = t.alpn;
    if (this.resumption && device.tlsSession) o.session = device.tlsSession;
    if (this.shared) {
      o.secureContext = this.shared;
      return o;
    }
    o.ca = this.ca;
    if (this.store) {
      const pem = readFile(this.store.pathOf(device.id), 'device certificate');
      o.cert = pem;
      o.key = pem;
      return o;
    }
    const vars = { id: device.id, index: device.index, group: this.group.name };
    if (t?.pfx) o.pfx = readFile(render(t.pfx, vars), 'PKCS#12 bundle');
    if (t?.cert) {
      o.cert = readFile(render(t.cert, vars), 'client certificate');
      o.key = t.key ? readFile(render(t.key, vars), 'client key') : o.cert;
    }
    o.passphrase = t?.passphrase;
    return o;
  }

  private sharedContext(): tls.SecureContext {
    const t = this.options;
    const where = `groups.${this.group.name}.tls`;
    const cert = t?.cert ? readFile(t.cert, `${where}.cert`) : undefined;
    const key = t?.key ? readFile(t.key, `${where}.key`) : cert;
    const pfx = t?.pfx ? readFile(t.pfx, `${where}.pfx`) : undefined;
    try {
      return tls.createSecureContext({ ca: this.ca, cert, key, pfx, passphrase: t?.passphrase });
    } catch (err) {
      throw new Error(`${where}: ${(err as Error).message}`);
    }
  }
}
