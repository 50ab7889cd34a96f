// `fleetsim certs`: the built-in test PKI. init makes a CA and a server certificate; issue
// makes device certificates ahead of a run (runs also issue them on first use); show describes
// a PKI directory.
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from '../shared/templates.ts';
import { CERT_VARIANTS, DeviceCertStore, type CertVariant } from '../pki/device-certs.ts';
import { defaultPkiDir, DEVICES_DIR, initTestPki, PkiError, readPki } from '../pki/test-pki.ts';
import { parseCommandArgs, showUsage, usageError } from './command-args.ts';

export const CERTS_USAGE = `usage: fleetsim certs init [DIR] [--name HOST]... [--force]
       fleetsim certs issue [DIR] --count N [--client-id TEMPLATE] [--first N] [--variant V]
       fleetsim certs show [DIR]
  DIR          the PKI directory (default ${defaultPkiDir()}; FLEETSIM_HOME moves it)
  init         creates ca.pem, ca-key.pem, server.pem, server-key.pem (SANs localhost,
               127.0.0.1, ::1 and every --name), unknown-ca.pem; keeps an existing PKI
               unless --force (which also deletes its device certificates)
  issue        issues device certificates (CN = client id) ahead of a run; runs issue
               missing ones on first use. --client-id as in scenarios (default dev-{index}),
               --first the first index (default 0), --variant ${CERT_VARIANTS.join(' | ')}
  show         what the PKI holds: CA, server names, device certificates per variant`;

class UsageError extends Error {}

function count(value: string | undefined, flag: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = value !== undefined && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`${flag}: expected a whole number, got ${JSON.stringify(value ?? '')}`);
  return n;
}

async function init(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({ command: 'certs init', usage: CERTS_USAGE }, args, { name: { type: 'string', multiple: true }, force: { type: 'boolean' } });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError('init takes one directory');
  const pki = await initTestPki(positionals[0] ?? defaultPkiDir(), { serverNames: values.name, force: values.force });
  console.log(pki.created ? `created a test PKI in ${pki.dir}` : `${pki.dir} already holds a test PKI (created ${pki.manifest.created}); --force replaces it`);
  console.log(`  CA certificate      ${pki.files.ca}   (give this to brokers: cafile)`);
  console.log(`  server certificate  ${pki.files.server}  names: ${pki.manifest.serverNames.join(', ')}`);
  console.log(`  server key          ${pki.files.serverKey}`);
  console.log(`  in a scenario:      tls: { pki: ${pki.dir} }`);
  return 0;
}

async function issue(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({ command: 'certs issue', usage: CERTS_USAGE }, args, {
    count: { type: 'string' },
    'client-id': { type: 'string' },
    first: { type: 'string' },
    variant: { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const total = count(values.count, '--count');
  const first = count(values.first, '--first', 0);
  const variant = (values.variant ?? 'valid') as CertVariant;
  if (!CERT_VARIANTS.includes(variant)) throw new UsageError(`--variant: expected one of ${CERT_VARIANTS.join(', ')}, got ${JSON.stringify(values.variant)}`);
  const template = values['client-id'] ?? 'dev-{index}';
  const pki = await readPki(positionals[0] ?? defaultPkiDir());
  const store = new DeviceCertStore(pki, variant);
  const tty = process.stderr.isTTY;
  let done = 0;
  const started = performance.now();
  const progress = setInterval(() => tty && process.stderr.write(`\r  ${done}/${total} certificates`), 250);
  try {
    const ids = Array.from({ length: total }, (_, i) => render(template, { index: first + i }));
    await store.ensureAll(ids, undefined, (n) => (done = n));
  } finally {
    clearInterval(progress);
    if (tty) process.stderr.write('\r\x1b[K');
  }
  const secs = (performance.now() - started) / 1000;
  console.log(`${total} ${variant} device certificates in ${store.dir}: ${store.issued} issued, ${total - store.issued} already there (${secs.toFixed(1)} s)`);
  return 0;
}

async function show(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({ command: 'certs show', usage: CERTS_USAGE }, args, {});
  if (typeof parsed === 'number') return parsed;
  const { positionals } = parsed;
  const pki = await readPki(positionals[0] ?? defaultPkiDir());
  const ca = new X509Certificate(readFileSync(pki.files.ca));
  console.log(`test PKI ${pki.dir} (created ${pki.manifest.created}, ${pki.manifest.algorithm})`);
  console.log(`  CA      ${ca.subject.replace(/\n/g, ', ')}, valid to ${ca.validTo}`);
  console.log(`  server  names ${pki.manifest.serverNames.join(', ')}`);
  for (const variant of CERT_VARIANTS) {
    const dir = join(pki.dir, DEVICES_DIR, variant);
    const n = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.pem')).length : 0;
    console.log(`  devices ${variant.padEnd(10)} ${n}`);
  }
  return 0;
}

export async function certsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'init':
        return await init(rest);
      case 'issue':
        return await issue(rest);
      case 'show':
        return await show(rest);
      case '--help':
      case '-h':
        return showUsage(CERTS_USAGE);
      default:
        if (sub?.startsWith('-')) return usageError({ command: 'certs', usage: CERTS_USAGE }, `unknown option ${sub} for fleetsim certs`, { named: true });
        console.error(sub ? `fleetsim certs: unknown subcommand "${sub}"\n\n${CERTS_USAGE}` : CERTS_USAGE);
        return 2;
    }
  } catch (err) {
    if (err instanceof PkiError) {
      console.error(`fleetsim certs: ${err.message}`);
      return 2;
    }
    if (err instanceof UsageError) {
      console.error(`fleetsim certs: ${(err as Error).message}\n\n${CERTS_USAGE}`);
      return 2;
    }
    throw err;
  }
}
