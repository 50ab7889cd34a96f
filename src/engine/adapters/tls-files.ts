// TLS material for a group, read once per host and shared by all its devices.
import { readFileSync } from 'node:fs';
import type { DeviceGroup } from '../../contract/scenario.ts';

export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized: boolean;
  servername?: string;
}

export function loadTls(group: DeviceGroup): TlsMaterial {
  const t = group.tls;
  if (!t) return { rejectUnauthorized: true };
  const read = (path: string | undefined, field: string) => {
    if (!path) return undefined;
    try {
      return readFileSync(path);
    } catch (e) {
      throw new Error(`groups.${group.name}.tls.${field}: cannot read "${path}": ${(e as Error).message}`);
    }
  };
  return { ca: read(t.ca, 'ca'), cert: read(t.cert, 'cert'), key: read(t.key, 'key'), rejectUnauthorized: t.rejectUnauthorized, servername: t.servername };
}

/** TLS options for a `ws` client (passed through to https.request). */
export function wsTlsOptions(t: TlsMaterial): Record<string, unknown> {
  return { ca: t.ca, cert: t.cert, key: t.key, rejectUnauthorized: t.rejectUnauthorized, servername: t.servername };
}
