// Prometheus scrape configs for the shards' /metrics (series carry labels run and shard already):
// one for a Prometheus inside the cluster without the Operator (pods found through the API), one
// for shards run outside Kubernetes (fixed host:port list, e.g. processes or containers on one box).
import { APP_LABEL, METRICS_PORT } from './manifests.ts';

export const SCRAPE_INTERVAL = '5s';
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;

/** Prometheus label names as kubernetes_sd_configs spells pod labels: non-alphanumerics become "_". */
const sdLabel = (label: string) => `__meta_kubernetes_pod_label_${label.replace(/[^A-Za-z0-9]/g, '_')}`;

/** kubernetes_sd_configs (role pod) kept to Fleetsim pods' metrics port in a namespace. */
export function kubernetesScrapeConfig(namespace: string): object {
  return {
    scrape_configs: [
      {
        job_name: 'fleetsim',
        scrape_interval: SCRAPE_INTERVAL,
        kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [namespace] } }],
        relabel_configs: [
          { source_labels: [sdLabel(APP_LABEL)], regex: 'fleetsim', action: 'keep' },
          { source_labels: ['__meta_kubernetes_pod_container_port_name'], regex: 'metrics', action: 'keep' },
          { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
          { source_labels: [sdLabel('batch.kubernetes.io/job-name')], target_label: 'k8s_job' },
        ],
      },
    ],
  };
}

/** "host:port,host:port" → the targets, or one problem per bad entry. */
export function parseScrapeTargets(text: string): string[] | { problems: string[] } {
  const targets = text.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
  const problems = targets
    .filter((t) => {
      const m = HOST_PORT.exec(t);
      return !m || Number(m[3]) < 1 || Number(m[3]) > 65535;
    })
    .map((t) => `--scrape-config-static: expected host:port (port 1-65535), got ${JSON.stringify(t)}`);
  if (targets.length === 0) problems.push(`--scrape-config-static: expected host:port,host:port… (e.g. 127.0.0.1:${METRICS_PORT}), got ${JSON.stringify(text)}`);
  return problems.length > 0 ? { problems } : [...new Set(targets)];
}

/** A static_configs scrape job over shards at fixed addresses. */
export function staticScrapeConfig(targets: string[]): object {
  return {
    global: { scrape_interval: SCRAPE_INTERVAL, evaluation_interval: SCRAPE_INTERVAL },
    scrape_configs: [{ job_name: 'fleetsim', scrape_interval: SCRAPE_INTERVAL, static_configs: [{ targets }] }],
  };
}
