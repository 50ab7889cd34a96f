// `fleetsim k8s` as a user runs it (the built bin): every generated object validates against
// Kubernetes' own OpenAPI schemas (kubernetes-models, offline), the Job runs N shards of one run,
// the ConfigMap carries the scenario as given, pods are sized by devices per shard, bad input exits 2.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { validateScenario } from '../../src/contract/validate.ts';
import { HOST_BASE_MB, KB_PER_DEVICE } from '../../src/fleet/cost-model.ts';

const BIN = join(import.meta.dirname, '../../bin/fleetsim.mjs');
const dir = mkdtempSync(join(tmpdir(), 'fleetsim-k8s-'));

const input = {
  name: 'k8s-fleet',
  target: 'external',
  duration: '45s',
  ramp: 300,
  groups: [
    { name: 'meters', protocol: 'mqtt', url: 'mqtt://broker.example:1883', count: 30_000, timers: { heartbeat: { every: '15s', bytes: 20 }, status: { every: '60s', bytes: 500 }, ping: { every: '120s' } } },
    { name: 'panels', protocol: 'ws', url: 'ws://gateway.example:8080/ws', count: 12_000, ws: { roomSize: 40 } },
  ],
};
const scenarioFile = join(dir, 'fleet.json');
writeFileSync(scenarioFile, JSON.stringify(input));

function fleetsim(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Each document validated by the model of its kind; throws with the schema's message when one does not validate. */
function validated(yamlText: string): Array<{ kind: string; doc: Record<string, unknown> }> {
  const docs = parseAllDocuments(yamlText).map((d) => {
    assert.deepEqual(d.errors, [], 'the output is valid YAML');
    return d.toJS() as Record<string, unknown>;
  });
  const models: Record<string, (d: never) => { validate(): void }> = {
    ConfigMap: (d) => new ConfigMap(d),
    Service: (d) => new Service(d),
    Job: (d) => new Job(d),
    PodMonitor: (d) => new PodMonitor(d),
  };
  return docs.map((doc) => {
    const kind = String(doc.kind);
    assert.ok(models[kind], `unexpected kind ${kind}`);
    models[kind](doc as never).validate();
    return { kind, doc };
  });
}

const arg = (args: string[], flag: string) => args[args.indexOf(flag) + 1];
const mebibytes = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? NaN);

const variants: Array<[number, string[]]> = [[1, []], [4, ['--prometheus-operator']], [150, ['--records', 'pvc:fleetsim-runs']]];
for (const [shards, extra] of variants) {
  test(`k8s --shards ${shards} ${extra.join(' ')}: every object validates; the Job runs ${shards} shards of one run`, () => {
    const before = Date.now();
    const r = fleetsim(['k8s', scenarioFile, '--shards', String(shards), '--run-id', 'fleet-7', '--namespace', 'load', ...extra]);
    assert.equal(r.code, 0, r.stderr);
    const docs = validated(r.stdout);
    const kinds = docs.map((d) => d.kind).sort();
    assert.deepEqual(kinds, extra.includes('--prometheus-operator') ? ['ConfigMap', 'Job', 'PodMonitor', 'Service'] : ['ConfigMap', 'Job', 'Service']);
    for (const { doc } of docs) {
      const meta = doc.metadata as { namespace: string; labels: Record<string, string> };
      assert.equal(meta.namespace, 'load');
      assert.equal(meta.labels['fleetsim.dev/run'], 'fleet-7');
    }

    const job = docs.find((d) => d.kind === 'Job')!.doc as unknown as IJob;
    const spec = job.spec!;
    assert.equal(spec.completionMode, 'Indexed');
    assert.equal(spec.parallelism, shards);
    assert.equal(spec.completions, shards);
    const pod = spec.template.spec!;
    assert.equal(pod.restartPolicy, 'Never');
    const container = pod.containers.find((c) => c.name === 'fleetsim')!;
    const args = container.args!;
    assert.deepEqual(args.slice(0, 2), ['run', '/etc/fleetsim/scenario.json']);
    assert.equal(arg(args, '--shards'), String(shards));
    assert.equal(arg(args, '--run-id'), 'fleet-7');
    assert.equal(arg(args, '--metrics-host'), '0.0.0.0');
    assert.equal(arg(args, '--metrics-port'), '9464');
    assert.equal(arg(args, '--record'), '/runs');
    assert.ok(args.includes('--json'));
    const startAt = Date.parse(arg(args, '--start-at'));
    assert.ok(startAt > before + 110_000 && startAt <= Date.now() + 121_000, `start-at ${arg(args, '--start-at')} is about 2m after generation`);
    assert.match(r.stdout, new RegExp(`starts its devices at ${arg(args, '--start-at').replace(/\./g, '\\.')}`), 'the head comment names the same start time');
    assert.deepEqual(pod.securityContext!.sysctls, [{ name: 'net.ipv4.ip_local_port_range', value: '10240 65535' }]);
    assert.equal(pod.topologySpreadConstraints![0].topologyKey, 'kubernetes.io/hostname');
    const podLabels = spec.template.metadata!.labels!;

    // The headless Service and the PodMonitor select exactly these pods, on the container's metrics port.
    const service = docs.find((d) => d.kind === 'Service')!.doc as unknown as IService;
    assert.equal(service.spec!.clusterIP, 'None');
    for (const [k, v] of Object.entries(service.spec!.selector!)) assert.equal(podLabels[k], v);
    assert.deepEqual(container.ports, [{ name: 'metrics', containerPort: 9464, protocol: 'TCP' }]);
    const monitor = docs.find((d) => d.kind === 'PodMonitor')?.doc as { spec: { selector: { matchLabels: Record<string, string> }; podMetricsEndpoints: Array<{ port: string }> } } | undefined;
    if (monitor) {
      for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) assert.equal(podLabels[k], v);
      assert.equal(monitor.spec.podMetricsEndpoints[0].port, 'metrics');
      assert.equal(spec.template.metadata!.annotations, undefined, 'no scrape annotations next to a PodMonitor');
    } else assert.equal(spec.template.metadata!.annotations!['prometheus.io/scrape'], 'true');

    // Records: emptyDir with a container that keeps them for kubectl cp, or the claim; and how to merge.
    const runs = pod.volumes!.find((v) => v.name === 'runs')!;
    if (extra.includes('--records')) {
      assert.equal(runs.persistentVolumeClaim!.claimName, 'fleetsim-runs');
      assert.equal(pod.containers.length, 1);
    } else {
      assert.deepEqual(runs.emptyDir, {});
      assert.ok(pod.containers.some((c) => c.name === 'records'));
    }
    assert.match(r.stdout, /^#\s+fleetsim runs merge \.\/fleet-7\/fleet-7-shard\*$/m);

    // The ConfigMap holds the scenario as given, and it validates.
    const cm = docs.find((d) => d.kind === 'ConfigMap')!.doc as unknown as IConfigMap;
    const carried = JSON.parse(cm.data!['scenario.json']);
    assert.deepEqual(carried, input);
    assert.equal(validateScenario(carried).ok, true);
    assert.equal(pod.volumes!.find((v) => v.name === 'scenario')!.configMap!.name, cm.metadata!.name);
  });
}

test('k8s: pod resources scale with devices per shard', () => {
  const resources = [1, 4, 150].map((n) => {
    const r = fleetsim(['k8s', scenarioFile, '--shards', String(n), '--run-id', 'scale']);
    assert.equal(r.code, 0, r.stderr);
    const job = validated(r.stdout).find((d) => d.kind === 'Job')!.doc as unknown as IJob;
    const c = job.spec!.template.spec!.containers[0];
    const hosts = Number(arg(c.args!, '--hosts'));
    // The cost model: 8 KB per lean MQTT or WebSocket device of the fullest shard, plus each host process.
    const model = (hosts * HOST_BASE_MB * 1048576 + Math.ceil(42_000 / n) * KB_PER_DEVICE.mqtt * 1024) / 1048576;
    return { n, model, request: mebibytes(String(c.resources!.requests!.memory)), limit: mebibytes(String(c.resources!.limits!.memory)), hosts };
  });
  for (const r of resources) {
    assert.ok(r.hosts >= 1, JSON.stringify(r));
    assert.ok(r.request >= r.model && r.request <= Math.ceil(r.model) + 1 && r.request <= r.limit, JSON.stringify(r));
  }
  assert.ok(resources[0].request > resources[1].request && resources[1].request > resources[2].request, JSON.stringify(resources));
});

test('k8s: bad input exits 2 and names the flag', () => {
  const bad: Array<[string[], RegExp]> = [
    [['k8s', scenarioFile], /--shards: required/],
    [['k8s', scenarioFile, '--shards', '0'], /--shards: expected a whole number from 1/],
    [['k8s', scenarioFile, '--shards', '2.5'], /--shards/],
    [['k8s', scenarioFile, '--shards', '2', '--namespace', 'Load_Test'], /--namespace: expected a DNS-1123 label/],
    [['k8s', scenarioFile, '--shards', '2', '--image', 'Fleet Sim:latest'], /--image: expected an image reference/],
    [['k8s', scenarioFile, '--shards', '2', '--run-id', 'run-'], /--run-id/],
    [['k8s', scenarioFile, '--shards', '2', '--start-in', 'soon'], /--start-in/],
    [['k8s', scenarioFile, '--shards', '2', '--records', 'pvc:Runs_Claim'], /--records: expected emptyDir or pvc:NAME/],
    [['k8s', scenarioFile, '--shards', '2', '--bogus'], /unknown option --bogus for fleetsim k8s/],
    [['k8s', '--scrape-config-static', '127.0.0.1:9464,nohost'], /--scrape-config-static: expected host:port.*"nohost"/],
    [['k8s', join(dir, 'missing.json'), '--shards', '2'], /not a valid scenario/],
  ];
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, JSON.stringify({ ...input, groups: [{ ...input.groups[0], count: 0 }] }));
  bad.push([['k8s', broken, '--shards', '2'], /groups\[0\]\.count/]);
  for (const [args, message] of bad) {
    const r = fleetsim(args);
    assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '', 'no manifests for bad input');
  }
});

// Debian's Prometheus is built without Kubernetes discovery, so promtool checks only the static config.
test('k8s: scrape configs for pods (kubernetes_sd) and for fixed addresses (passes promtool check config)', { skip: spawnSync('promtool', ['--version']).error ? 'promtool (Debian prometheus) not installed' : false }, () => {
  const podsConfig = join(dir, 'prometheus-pods.yml');
  const r = fleetsim(['k8s', scenarioFile, '--shards', '3', '--namespace', 'load', '--prometheus-config', podsConfig]);
  assert.equal(r.code, 0, r.stderr);
  const pods = parseYaml(readFileSync(podsConfig, 'utf8'));
  assert.deepEqual(pods.scrape_configs[0].kubernetes_sd_configs, [{ role: 'pod', namespaces: { names: ['load'] } }]);
  assert.deepEqual(pods.scrape_configs[0].relabel_configs.filter((c: { action?: string }) => c.action === 'keep'), [
    { source_labels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], regex: 'fleetsim', action: 'keep' },
    { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: 'metrics', action: 'keep' },
  ]);
  assert.doesNotMatch(r.stdout, /kubernetes_sd_configs/, 'written to the file, not repeated in the manifests');

  const s = fleetsim(['k8s', '--scrape-config-static', '127.0.0.1:9464, 127.0.0.1:9465,[::1]:9466']);
  assert.equal(s.code, 0, s.stderr);
  const staticConfig = join(dir, 'prometheus-static.yml');
  writeFileSync(staticConfig, s.stdout);
  assert.deepEqual(parseYaml(s.stdout).scrape_configs[0].static_configs, [{ targets: ['127.0.0.1:9464', '127.0.0.1:9465', '[::1]:9466'] }]);
  execFileSync('promtool', ['check', 'config', staticConfig], { stdio: 'pipe' });
});
