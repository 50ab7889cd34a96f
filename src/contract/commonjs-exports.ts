// Loading a CommonJS package with import() the same way from source and from a bundle.

/**
 * The exports of a CommonJS package from its import() namespace. Node gives them as named
 * exports and, whole, as `default`; a bundle that puts the package in a chunk of its own (the
 * device host: MQTT.js and @peculiar/x509 load on first use) gives `default` only. `default`
 * is right in both.
 */
export function commonJsExports<T>(namespace: unknown): T {
  const whole = (namespace as { default?: T }).default;
  return whole ?? (namespace as T);
}
