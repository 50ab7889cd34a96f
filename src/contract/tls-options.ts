// A group's TLS settings: trust (CA), identity (one shared certificate, one per device from a
// file-name template or a PKCS#12 bundle, or issued from Fleetsim's test PKI), negative variants
// that a broker must refuse, and connection details (SNI, ALPN, session resumption).
import { z } from 'zod';

/** Certificates a broker's rejection path is tested with; each fails under its own reason. */
export const TLS_NEGATIVE = ['expired', 'unknown-ca', 'wrong-cn', 'no-cert'] as const;
export type TlsNegative = (typeof TLS_NEGATIVE)[number];

export { isPerDevicePath } from './target-urls.ts';

export const tlsOptionsSchema = z
  .strictObject({
    /**
     * A test PKI directory (fleetsim certs init): trust its CA and present a certificate issued
     * from it for each device (CN = client id), issued on first use and cached in the directory.
     */
    pki: z.string().min(1, 'expected a directory made by "fleetsim certs init"').optional(),
    /** Present a certificate the broker must refuse, or none; issued from pki (or the embedded target's PKI). */
    negative: z.enum(TLS_NEGATIVE, { error: `expected one of ${TLS_NEGATIVE.join(', ')}` }).optional(),
    /** CA certificate file (PEM) to verify the broker with; the system's CAs when none. */
    ca: z.string().optional(),
    /** Client certificate file (PEM); {id}, {index}, {group} make it one file per device. */
    cert: z.string().optional(),
    /** Its private key (PEM); the same placeholders. Default: the key is in the cert file. */
    key: z.string().optional(),
    /** A PKCS#12 (.p12/.pfx) bundle with key and certificate instead of cert/key; placeholders allowed. */
    pfx: z.string().optional(),
    /** Passphrase of the PKCS#12 bundle or an encrypted key. */
    passphrase: z.string().optional(),
    rejectUnauthorized: z.boolean().default(true),
    /** SNI name sent in the handshake (and checked against the certificate); default: the URL's host name. */
    servername: z.string().optional(),
    /** ALPN protocols offered, in order of preference (e.g. ["mqtt"] for brokers on port 443). */
    alpn: z.array(z.string().min(1, 'expected a protocol name')).min(1, 'expected at least one protocol').optional(),
    /** Reconnects resume the device's last TLS session (abbreviated handshake) when the broker allows it. */
    sessionResumption: z.boolean().default(false),
  })
  .superRefine((t, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (t.pki) {
      for (const f of ['cert', 'key', 'pfx'] as const) if (t[f]) issue(f, 'not with pki: the PKI issues each device its certificate');
    }
    if (t.pfx && (t.cert || t.key)) issue('pfx', 'use either pfx or cert/key, not both');
    if (t.key && !t.cert) issue('key', 'needs cert');
  });

export type TlsOptions = z.output<typeof tlsOptionsSchema>;

/** Options of the embedded target's TLS listeners. */
export const embeddedTlsSchema = z.strictObject({
  /** The PKI whose server certificate the target serves and whose CA it trusts; default: the groups' pki, else the default PKI. */
  pki: z.string().min(1, 'expected a directory made by "fleetsim certs init"').optional(),
  /** require: mutual TLS (client certificates verified, CN must equal the MQTT client id); none: server TLS only. */
  clientCerts: z.enum(['require', 'none'], { error: 'expected require or none' }).default('require'),
});
