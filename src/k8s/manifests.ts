// The Kubernetes objects of one distributed run, as plain objects: a ConfigMap with the scenario,
// an Indexed Job whose pod I runs shard I, a headless Service over the pods' metrics port and,
// for the Prometheus Operator, a PodMonitor. Sizes come from fleet-plan.ts.
// Types only (erased from the bundle): the Kubernetes API's own, so a misspelt or misplaced field fails the typecheck.
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IService } from 'kubernetes-models/v1/Service';
import type { Scenario } from '../contract/scenario.ts';
import { mixOfScenario, planShards, portsOf, type FleetPlan, type PodShape } from '../fleet/fleet-plan.ts';
import { objectName, type K8sOptions } from './k8s-options.ts';
import { cpuQuantity, memoryQuantity } from './quantities.ts';

export const METRICS_PORT = 9464;
export const SCENARIO_DIR = '/etc/fleetsim';
export const RECORDS_DIR = '/runs';
/** The image's user (Dockerfile): owns /runs; fsGroup makes mounted volumes writable to it. */
export const IMAGE_UID = 10001;
/**
 * A pod's ephemeral ports (the "safe" sysctl net.ipv4.ip_local_port_range, settable per pod): wide, and
 * above the ports a pod listens on (9464) and the usual broker ports, so connects never take them.
 */
export const POD_PORT_RANGE: [number, number] = [10240, 65535];
/**
 * Open files assumed per process in a pod: the pod raises its soft limit to the hard one, which container
 * runtimes set to 1,048,576 (containerd) or 65,536 and up; the lower keeps host processes sized safely.
 */
export const POD_NOFILE = 65_536;
/** The most cores one pod's CPU limit asks for. */
export const POD_MAX_CORES = 8;
/** Slack on the Job's deadline past start, run and records hold: scheduling, image pulls, closing. */
const DEADLINE_SLACK_S = 600;

export const RUN_LABEL = 'fleetsim.dev/run';
export const APP_LABEL = 'app.kubernetes.io/name';

export interface RunManifests {
  name: string;
  plan: FleetPlan;
  /** The pod command's arguments (after the image's ENTRYPOINT fleetsim). */
  podArgs: string[];
  configMap: IConfigMap;
  job: IJob;
  service: IService;
  podMonitor: IPodMonitor | null;
}

export const podShape = (): PodShape => ({ cores: POD_MAX_CORES, memoryBytes: Number.MAX_SAFE_INTEGER, fdLimit: POD_NOFILE, portRange: POD_PORT_RANGE, sourceAddresses: 1 });

/** The run's objects for a validated scenario and its input (the ConfigMap holds the input as given). */
export function buildManifests(scenario: Scenario, input: object, o: K8sOptions): RunManifests {
  const name = objectName(o.runId);
  const plan = planShards(mixOfScenario(scenario), podShape(), o.shards);
  const labels = { [APP_LABEL]: 'fleetsim', 'app.kubernetes.io/instance': name, [RUN_LABEL]: o.runId };
  const selector = { [APP_LABEL]: 'fleetsim', [RUN_LABEL]: o.runId };
  const meta = (n: string) => ({ name: n, namespace: o.namespace, labels });
  const podArgs = [
    'run', `${SCENARIO_DIR}/scenario.json`,
    '--shards', String(o.shards),
    '--run-id', o.runId,
    '--start-at', new Date(o.startAt).toISOString(),
    '--metrics-host', '0.0.0.0',
    '--metrics-port', String(METRICS_PORT),
    '--record', RECORDS_DIR,
    '--json',
    // Host processes as planned: in a pod, Node sees the node's cores, not the pod's CPU limit.
    '--hosts', String(plan.shard.hosts),
  ];
  const runSeconds = Math.ceil((o.startAt - o.generatedAt + scenario.duration) / 1000);
  const holdSeconds = runSeconds + Math.ceil(o.keepRecordsMs / 1000);
  const emptyDir = o.records.kind === 'emptyDir';

  const configMap: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(name),
    data: { 'scenario.json': `${JSON.stringify(input, null, 2)}\n` },
  };

  const fleetsim: IContainer = {
    name: 'fleetsim',
    image: o.image,
    imagePullPolicy: 'IfNotPresent',
    // Soft open-file limit up to the hard one (each socket is a file; Kubernetes sets no ulimits), then the pod command.
    command: ['sh', '-c', 'ulimit -n "$(ulimit -Hn)" && exec fleetsim "$@"', 'fleetsim'],
    args: podArgs,
    ports: [{ name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' }],
    resources: {
      requests: { cpu: cpuQuantity(plan.shard.cpu), memory: memoryQuantity(plan.shard.memoryBytes) },
      limits: { cpu: cpuQuantity(plan.shard.cpuLimit), memory: memoryQuantity(plan.shard.memoryLimitBytes) },
    },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    volumeMounts: [
      { name: 'scenario', mountPath: SCENARIO_DIR, readOnly: true },
      { name: 'runs', mountPath: RECORDS_DIR },
    ],
  };
  // emptyDir goes with the pod and `kubectl cp` needs a running container: this one keeps the
  // records readable after the run until they are collected (/runs/.collected) or the hold ends.
  const holder: IContainer = {
    name: 'records',
    image: o.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', '-c', `end=$(( $(date +%s) + ${holdSeconds} )); while [ ! -e ${RECORDS_DIR}/.collected ] && [ "$(date +%s)" -lt "$end" ]; do sleep 5; done`],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    volumeMounts: [{ name: 'runs', mountPath: RECORDS_DIR }],
  };

  const job: IJob = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(name),
    spec: {
      completionMode: 'Indexed',
      completions: o.shards,
      parallelism: o.shards,
      // A shard restarted late would not be the same fleet: no retries, and one failed shard
      // does not stop the others (their records still merge).
      backoffLimitPerIndex: 0,
      maxFailedIndexes: o.shards,
      activeDeadlineSeconds: (emptyDir ? holdSeconds : runSeconds) + DEADLINE_SLACK_S,
      template: {
        metadata: {
          labels: selector,
          ...(o.prometheusOperator ? {} : { annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(METRICS_PORT), 'prometheus.io/path': '/metrics' } }),
        },
        spec: {
          restartPolicy: 'Never',
          // With the headless Service of the same name, pod I is reachable as <name>-I.<name>.
          subdomain: name,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: IMAGE_UID,
            runAsGroup: IMAGE_UID,
            fsGroup: IMAGE_UID,
            sysctls: [{ name: 'net.ipv4.ip_local_port_range', value: `${POD_PORT_RANGE[0]} ${POD_PORT_RANGE[1]}` }],
          },
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: selector } }],
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } } }],
            },
          },
          containers: emptyDir ? [fleetsim, holder] : [fleetsim],
          volumes: [
            { name: 'scenario', configMap: { name } },
            emptyDir ? { name: 'runs', emptyDir: {} } : { name: 'runs', persistentVolumeClaim: { claimName: o.records.kind === 'pvc' ? o.records.claim : '' } },
          ],
        },
      },
    },
  };

  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name),
    spec: { clusterIP: 'None', selector, ports: [{ name: 'metrics', port: METRICS_PORT, targetPort: 'metrics', protocol: 'TCP' }] },
  };

  const podMonitor: IPodMonitor | null = o.prometheusOperator
    ? {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PodMonitor',
        metadata: meta(name),
        spec: { selector: { matchLabels: selector }, podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: '5s' }] },
      }
    : null;

  return { name, plan, podArgs, configMap, job, service, podMonitor };
}

/** Warnings about a shard count that the pods cannot hold well (printed as comments and on stderr). */
export function shardWarnings(plan: FleetPlan): string[] {
  const out: string[] = [];
  const pool = portsOf(POD_PORT_RANGE);
  if (plan.shard.connectionsPerTuple > pool) {
    out.push(`each pod would hold ${plan.shard.connectionsPerTuple.toLocaleString('en-US')} connections to one target ip:port, but a pod has ${pool.toLocaleString('en-US')} ephemeral ports: use more shards or spread the groups over more target ports (urls); see fleetsim plan`);
  }
  if (plan.shards < Math.ceil(plan.mix.devices / plan.maxDevicesPerPod)) {
    out.push(`${plan.shards} shard(s) is fewer than the ${Math.ceil(plan.mix.devices / plan.maxDevicesPerPod)} that pods of at most ${POD_MAX_CORES} cores hold well (bounded by ${plan.limitedBy}); see fleetsim plan`);
  }
  return out;
}
