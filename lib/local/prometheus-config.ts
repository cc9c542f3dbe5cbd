import { stringify } from 'yaml';

/** One scrape target of the local Prometheus. @internal */
export interface LocalScrapeTarget {
  /** Service name: the job name and the container's host name on the network. */
  readonly name: string;
  /** Port serving metrics. */
  readonly port: number;
  /** Metrics path. */
  readonly path: string;
}

/**
 * The `prometheus.yml` of the local stack: one job per service, scraping the
 * container by its name on the stack's network. Jobs keep the services' order.
 *
 * @internal
 */
export function localPrometheusConfig(targets: LocalScrapeTarget[], scrapeIntervalSeconds: number): string {
  const config = {
    global: {
      scrape_interval: `${scrapeIntervalSeconds}s`,
      evaluation_interval: `${scrapeIntervalSeconds}s`,
    },
    scrape_configs: targets.map((t) => ({
      job_name: t.name,
      metrics_path: t.path,
      static_configs: [{ targets: [`${t.name}:${t.port}`], labels: { service: t.name } }],
    })),
  };
  return stringify(config, { lineWidth: 0 });
}
