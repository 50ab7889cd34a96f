// `fleetsim k8s <scenario> --shards N …` prints the manifests of one distributed run (ConfigMap,
// headless Service, PodMonitor or scrape annotations, Indexed Job) with the commands to collect and
// merge the records; `fleetsim k8s --scrape-config-static host:port,…` prints a Prometheus config
// for shards outside Kubernetes. Exit 0 with the YAML, 2 for bad input (the flag is named).
import { writeFile } from 'node:fs/promises';
import { formatDuration } from '../contract/duration.ts';
import { loadScenarioWithInput, ScenarioError } from '../fleet/scenario-loader.ts';
import { checkK8sFlags, DEFAULT_IMAGE, DEFAULT_NAMESPACE, type K8sOptions } from '../k8s/k8s-options.ts';
import { buildManifests, POD_NOFILE, RECORDS_DIR, RUN_LABEL, shardWarnings, type RunManifests } from '../k8s/manifests.ts';
import { humanBytes } from '../k8s/quantities.ts';
import { kubernetesScrapeConfig, parseScrapeTargets, staticScrapeConfig } from '../k8s/scrape-config.ts';
import { multiDocYaml, yamlDoc } from '../k8s/yaml-out.ts';
import { parseCommandArgs } from './command-args.ts';

export const K8S_USAGE = `usage: fleetsim k8s <scenario|preset> --shards N [--image ${DEFAULT_IMAGE}] [--namespace ${DEFAULT_NAMESPACE}] [--run-id R]
                    [--start-in 2m] [--prometheus-operator] [--records emptyDir|pvc:NAME] [--keep-records 1h]
                    [--prometheus-config FILE]
       fleetsim k8s --scrape-config-static host:port,host:port…
  Prints the Kubernetes manifests of one run over N shards (pipe into kubectl apply -f -): a ConfigMap
  with the scenario, an Indexed Job (pod I runs shard I from a shared start time and run id), a
  headless Service on the metrics port, a PodMonitor (--prometheus-operator) or scrape annotations,
  and, as comments, how to collect and merge the records. --prometheus-config writes a Prometheus
  scrape config for the pods; --scrape-config-static prints one for shards at fixed addresses.`;

export async function k8sCommand(args: string[]): Promise<number> {
  const parsed = parseCommandArgs({ command: 'k8s', usage: K8S_USAGE }, args, {
    shards: { type: 'string' },
    image: { type: 'string' },
    namespace: { type: 'string' },
    'run-id': { type: 'string' },
    'start-in': { type: 'string' },
    'prometheus-operator': { type: 'boolean', default: false },
    records: { type: 'string' },
    'keep-records': { type: 'string' },
    'prometheus-config': { type: 'string' },
    'scrape-config-static': { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values: v, positionals } = parsed;
  const fail = (problems: string[]) => {
    for (const p of problems) console.error(`fleetsim k8s: ${p}`);
    console.error(K8S_USAGE);
    return 2;
  };

  if (v['scrape-config-static'] !== undefined) {
    if (positionals.length > 0) return fail(['--scrape-config-static takes no scenario']);
    const targets = parseScrapeTargets(v['scrape-config-static']);
    if ('problems' in targets) return fail(targets.problems);
    process.stdout.write(yamlDoc(staticScrapeConfig(targets), ['Prometheus scrape config for Fleetsim shards at fixed addresses (fleetsim run --metrics-host … --metrics-port …).', 'Series carry labels run and shard: sum by (run) (…) is the whole fleet.']));
    return 0;
  }
  if (positionals.length !== 1) return fail([positionals.length === 0 ? 'a scenario (file or preset) is required' : 'one scenario at a time']);
  let loaded;
  try {
    loaded = await loadScenarioWithInput(positionals[0]);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return fail([`${err.source} is not a valid scenario:`, ...err.problems.map((p) => `  ${p}`)]);
  }
  const options = checkK8sFlags(v, loaded.scenario.name, Date.now());
  if (Array.isArray(options)) return fail(options);
  const m = buildManifests(loaded.scenario, loaded.input, options);
  const warnings = shardWarnings(m.plan);
  for (const w of warnings) console.error(`fleetsim k8s: warning: ${w}`);
  if (m.plan.mix.embeddedConnections > 0) console.error('fleetsim k8s: warning: the scenario uses the embedded target: every pod starts its own, holding that pod\'s devices (point groups at your broker with target: external to load it)');

  const promConfig = kubernetesScrapeConfig(options.namespace);
  if (v['prometheus-config'] !== undefined) {
    await writeFile(v['prometheus-config'], yamlDoc(promConfig, [`Prometheus scrape config for the Fleetsim pods in namespace ${options.namespace} (no Prometheus Operator).`]));
  }
  const docs = [m.configMap, m.service, ...(m.podMonitor ? [m.podMonitor] : []), m.job];
  const tail = [...collectComments(m, options), ...(options.prometheusOperator || v['prometheus-config'] !== undefined ? [] : scrapeComments(promConfig))];
  process.stdout.write(multiDocYaml(docs, headComments(m, options, loaded.scenario.duration, warnings), tail));
  return 0;
}

function headComments(m: RunManifests, o: K8sOptions, durationMs: number, warnings: string[]): string[] {
  const s = m.plan.shard;
  return [
    `Fleetsim run ${o.runId}: ${m.plan.mix.devices.toLocaleString('en-US')} devices over ${o.shards} shard(s), generated ${new Date(o.generatedAt).toISOString()}`,
    `Every shard starts its devices at ${new Date(o.startAt).toISOString()} and runs ${formatDuration(durationMs)}: apply before then.`,
    `  kubectl create namespace ${o.namespace}   # once`,
    `  kubectl apply -f <this file>`,
    `Each pod: ≤ ${s.devices.toLocaleString('en-US')} devices over ${s.hosts} host process(es); ~${humanBytes(s.memoryBytes)} and ${s.cpu} core(s) at ${Math.round(s.msgsPerSec).toLocaleString('en-US')} msg/s (requests; limits ${humanBytes(s.memoryLimitBytes)}, ${s.cpuLimit} core(s)).`,
    `Open files: each pod raises its soft nofile limit to the hard one (Kubernetes sets no ulimits); host processes are sized for ${POD_NOFILE.toLocaleString('en-US')}.`,
    `Ephemeral ports: the pods set the safe sysctl net.ipv4.ip_local_port_range (clusters allow it unless a policy forbids sysctls).`,
    ...warnings.map((w) => `WARNING: ${w}`),
    '',
  ];
}

function collectComments(m: RunManifests, o: K8sOptions): string[] {
  const ns = `-n ${o.namespace}`;
  const dir = `./${o.runId}`;
  const last = o.shards - 1;
  const lines = ['', `Records: shard I writes ${RECORDS_DIR}/${o.runId}-shard<I>/. After the run, collect and merge them:`];
  if (o.records.kind === 'emptyDir') {
    lines.push(
      `(emptyDir: each pod keeps its records in its "records" container for ${formatDuration(o.keepRecordsMs)} after the run or until collected)`,
      `  mkdir -p ${dir}`,
      `  for i in $(seq 0 ${last}); do`,
      `    pod=$(kubectl ${ns} get pods -l ${RUN_LABEL}=${o.runId},batch.kubernetes.io/job-completion-index=$i -o jsonpath='{.items[0].metadata.name}')`,
      `    kubectl ${ns} cp -c records "$pod:${RECORDS_DIR}/${o.runId}-shard$i" "${dir}/${o.runId}-shard$i"`,
      `    kubectl ${ns} exec "$pod" -c records -- touch ${RECORDS_DIR}/.collected   # lets the pod finish`,
      '  done',
    );
  } else {
    lines.push(
      `(PersistentVolumeClaim ${o.records.claim}: ReadWriteMany when pods land on several nodes; read it from any pod that mounts it, e.g.)`,
      `  kubectl ${ns} run ${m.name}-collect --image=${o.image} --restart=Never --command --overrides='{"spec":{"volumes":[{"name":"runs","persistentVolumeClaim":{"claimName":"${o.records.claim}"}}],"containers":[{"name":"c","image":"${o.image}","command":["sleep","3600"],"volumeMounts":[{"name":"runs","mountPath":"${RECORDS_DIR}"}]}]}}' -- sleep 3600`,
      `  kubectl ${ns} wait --for=condition=Ready pod/${m.name}-collect`,
      `  mkdir -p ${dir}; for i in $(seq 0 ${last}); do kubectl ${ns} cp -c c "${m.name}-collect:${RECORDS_DIR}/${o.runId}-shard$i" "${dir}/${o.runId}-shard$i"; done`,
      `  kubectl ${ns} delete pod ${m.name}-collect`,
    );
  }
  lines.push(`  fleetsim runs merge ${dir}/${o.runId}-shard*`, `  kubectl ${ns} delete job,service,configmap${o.prometheusOperator ? ',podmonitor' : ''} -l ${RUN_LABEL}=${o.runId}   # when done`);
  return lines;
}

function scrapeComments(config: object): string[] {
  return ['', 'Without the Prometheus Operator the pods carry prometheus.io/scrape annotations; a plain Prometheus', 'scrape config for them (also written by --prometheus-config FILE):', ...yamlDoc(config).trimEnd().split('\n').map((l) => `  ${l}`)];
}
