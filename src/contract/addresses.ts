// Source addresses for a group: a list, or an IPv4 range "127.0.0.1-127.0.0.16".
// Spreading devices over several source addresses lifts the ephemeral-port wall of ~28k
// connections per (source address, target address:port).

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-f:.]+$/i;
export const MAX_SOURCE_ADDRESSES = 1024;

export function isIpAddress(text: string): boolean {
  return IPV4.test(text) || (text.includes(':') && IPV6.test(text));
}

const toInt = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/** Expands the entries; returns an error message instead when one is not an address or range. */
export function expandSourceAddresses(entries: string[]): string[] | string {
  const out: string[] = [];
  for (const entry of entries) {
    const range = /^([^-\s]+)\s*-\s*([^-\s]+)$/.exec(entry);
    if (range) {
      const [from, to] = [range[1], range[2]];
      if (!IPV4.test(from) || !IPV4.test(to)) return `"${entry}": a range needs two IPv4 addresses, like "127.0.0.1-127.0.0.16"`;
      const [a, b] = [toInt(from), toInt(to)];
      if (b < a) return `"${entry}": the range ends before it starts`;
      if (b - a + 1 + out.length > MAX_SOURCE_ADDRESSES) return `"${entry}": more than ${MAX_SOURCE_ADDRESSES} addresses`;
      for (let n = a; n <= b; n++) out.push(toIp(n));
    } else if (isIpAddress(entry)) {
      out.push(entry);
    } else {
      return `"${entry}" is not an IP address or range`;
    }
  }
  return out;
}
