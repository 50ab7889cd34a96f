// What `fleetsim k8s` is asked for, checked: every problem names its flag. Kubernetes refuses
// bad names only at `kubectl apply`, after the run was planned around them, so they are checked here.
import { parseDuration } from '../contract/duration.ts';
import { RUN_ID_PATTERN } from '../contract/fleet-shard.ts';

/** Shards one Indexed Job runs: far past any fleet in FIELD-NOTES, well inside the API's completions limit. */
export const MAX_SHARDS = 10_000;
export const DEFAULT_IMAGE = 'fleetsim:latest';
export const DEFAULT_NAMESPACE = 'fleetsim';
export const DEFAULT_START_IN_MS = 120_000;
export const DEFAULT_KEEP_RECORDS_MS = 3_600_000;

export type RecordsVolume = { kind: 'emptyDir' } | { kind: 'pvc'; claim: string };

export interface K8sOptions {
  shards: number;
  image: string;
  namespace: string;
  runId: string;
  /** Epoch ms at which every shard starts its devices. */
  startAt: number;
  /** The generation time, for the comment and for the Job's deadline. */
  generatedAt: number;
  prometheusOperator: boolean;
  records: RecordsVolume;
  /** emptyDir only: how long after its run a pod keeps its records for `kubectl cp`. */
  keepRecordsMs: number;
}

/** The raw flags, as parseArgs gives them. */
export interface K8sFlags {
  shards?: string;
  image?: string;
  namespace?: string;
  'run-id'?: string;
  'start-in'?: string;
  'prometheus-operator'?: boolean;
  records?: string;
  'keep-records'?: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** An image reference: [registry[:port]/]path[:tag][@sha256:digest], as the distribution spec's grammar. */
const IMAGE_REF =
  /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** Label values (the run id is one): at most 63, alphanumeric at both ends. */
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;

export const isDns1123Label = (s: string) => s.length <= 63 && DNS1123_LABEL.test(s);

/** A run id from the scenario's name and the time: "seed-mqtt-20261205-130300". */
export function generatedRunId(scenarioName: string, at: number): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const name = scenarioName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'run';
  return `${name}-${stamp}`;
}

/** The options, or one problem per bad flag ("--shards: …"). */
export function checkK8sFlags(flags: K8sFlags, scenarioName: string, now: number): K8sOptions | string[] {
  const problems: string[] = [];
  const shards = Number(flags.shards);
  if (flags.shards === undefined) problems.push('--shards: required (how many pods share the fleet)');
  else if (!/^\d+$/.test(flags.shards) || shards < 1 || shards > MAX_SHARDS) problems.push(`--shards: expected a whole number from 1 to ${MAX_SHARDS}, got ${JSON.stringify(flags.shards)}`);
  const image = flags.image ?? DEFAULT_IMAGE;
  if (image.length > 255 || !IMAGE_REF.test(image)) problems.push(`--image: expected an image reference like fleetsim:latest or registry.example:5000/fleetsim:1.0, got ${JSON.stringify(image)}`);
  const namespace = flags.namespace ?? DEFAULT_NAMESPACE;
  if (!isDns1123Label(namespace)) problems.push(`--namespace: expected a DNS-1123 label (lower-case letters, digits and "-", at most 63), got ${JSON.stringify(namespace)}`);
  const runId = flags['run-id'] ?? generatedRunId(scenarioName, now);
  if (!RUN_ID_PATTERN.test(runId) || !LABEL_VALUE.test(runId)) problems.push(`--run-id: expected letters, digits, ".", "_" or "-" (at most 63, a letter or digit at both ends), got ${JSON.stringify(runId)}`);
  const startIn = flags['start-in'] === undefined ? DEFAULT_START_IN_MS : parseDuration(flags['start-in']);
  if (startIn === undefined || startIn < 0 || startIn > 86_400_000) problems.push(`--start-in: expected a duration from 0s to 24h like 2m or 90s, got ${JSON.stringify(flags['start-in'])}`);
  const keep = flags['keep-records'] === undefined ? DEFAULT_KEEP_RECORDS_MS : parseDuration(flags['keep-records']);
  if (keep === undefined || keep < 60_000 || keep > 7 * 86_400_000) problems.push(`--keep-records: expected a duration from 1m to 168h like 1h, got ${JSON.stringify(flags['keep-records'])}`);
  let records: RecordsVolume = { kind: 'emptyDir' };
  const r = flags.records;
  if (r !== undefined && r !== 'emptyDir') {
    const claim = r.startsWith('pvc:') ? r.slice(4) : '';
    if (claim.length > 253 || !DNS1123_SUBDOMAIN.test(claim)) problems.push(`--records: expected emptyDir or pvc:NAME with NAME a PersistentVolumeClaim's name (DNS-1123), got ${JSON.stringify(r)}`);
    else records = { kind: 'pvc', claim };
  }
  if (problems.length > 0) return problems;
  return {
    shards,
    image,
    namespace,
    runId,
    // On a whole second: shards' timelines align by wall-clock second.
    startAt: Math.ceil((now + (startIn as number)) / 1000) * 1000,
    generatedAt: now,
    prometheusOperator: flags['prometheus-operator'] === true,
    records,
    keepRecordsMs: keep as number,
  };
}

/** A DNS-1123 name for the run's objects: "fleetsim-" and the run id, lower-cased, cut so a pod's hostname (name-index) fits 63. */
export function objectName(runId: string): string {
  const base = `fleetsim-${runId.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`.slice(0, 52).replace(/-+$/, '');
  return base;
}
