import { METRIC_CONTRACT } from './alert-rules';
import { grafanaSdk } from './grafana-sdk';

/** Options of the Go service dashboard. */
export interface GoServiceDashboardOptions {
  /**
   * Dashboard UID, stable across deployments so links keep working.
   * @default 'go-services'
   */
  readonly uid?: string;
  /**
   * Dashboard title.
   * @default 'Go services'
   */
  readonly title?: string;
  /**
   * Name of the Prometheus data source selected by default in the data source variable.
   * @default 'Prometheus'
   */
  readonly defaultDatasource?: string;
}

/** Titles of the dashboard panels, in order. */
export const GO_DASHBOARD_PANELS = [
  'Request rate',
  'Error ratio (5xx)',
  'Latency percentiles',
  'Goroutines',
  'GC pause duration',
  'Heap in use',
  'CPU against limit',
  'Memory against limit',
] as const;

/**
 * The Grafana dashboard for Go services, built with the Grafana Foundation
 * SDK: request rate, errors, latency percentiles, goroutines, GC pauses, heap,
 * and CPU and memory against the container limits. Variables select the data
 * source, the namespace and the service; every query reads the metrics of
 * `METRIC_CONTRACT`.
 *
 * Returns the dashboard model as plain JSON-ready data.
 */
export function goServiceDashboard(options: GoServiceDashboardOptions = {}): Record<string, unknown> {
  const { common, dashboard, prometheus, timeseries, units } = grafanaSdk();
  const { DashboardBuilder, DatasourceVariableBuilder, QueryVariableBuilder, RowBuilder, VariableRefresh, VariableSort } = dashboard;
  const { DataqueryBuilder } = prometheus;
  const { PanelBuilder } = timeseries;
  const m = METRIC_CONTRACT;
  const ds: import('@grafana/grafana-foundation-sdk/dist/common').DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
  const sel = 'namespace="$namespace", service=~"$service"';
  const pod = 'namespace="$namespace", container=~"$service"';

  const query = (expr: string, legend: string, refId = 'A') => new DataqueryBuilder().expr(expr).legendFormat(legend).refId(refId);
  const panel = (title: string, unit: string, description: string) => new PanelBuilder()
    .title(title)
    .description(description)
    .datasource(ds)
    .unit(unit)
    .min(0)
    .height(8)
    .span(12)
    .legend(new common.VizLegendOptionsBuilder().displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).showLegend(true));

  const [requests, errors, latency, goroutines, gc, heap, cpu, memory] = GO_DASHBOARD_PANELS;
  const builder = new DashboardBuilder(options.title ?? 'Go services')
    .uid(options.uid ?? 'go-services')
    .tags(['go', 'cdk8s-go-platform'])
    .editable()
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus')
      .current({ selected: true, text: options.defaultDatasource ?? 'Prometheus', value: options.defaultDatasource ?? 'Prometheus' }))
    .withVariable(new QueryVariableBuilder('namespace').label('Namespace').datasource(ds)
      .query(`label_values(${m.requestDuration}_count, namespace)`)
      .refresh(VariableRefresh.OnTimeRangeChanged).sort(VariableSort.AlphabeticalAsc))
    .withVariable(new QueryVariableBuilder('service').label('Service').datasource(ds)
      .query(`label_values(${m.requestDuration}_count{namespace="$namespace"}, service)`)
      .refresh(VariableRefresh.OnTimeRangeChanged).sort(VariableSort.AlphabeticalAsc).multi(true).includeAll(true).allValue('.+'))
    .withRow(new RowBuilder('Traffic'))
    .withPanel(panel(requests, units.RequestsPerSecond, 'HTTP requests per second by service and status code.')
      .withTarget(query(`sum by (service, ${m.statusCodeLabel}) (rate(${m.requestDuration}_count{${sel}}[$__rate_interval]))`, `{{service}} {{${m.statusCodeLabel}}}`)))
    .withPanel(panel(errors, units.PercentUnit, 'Share of HTTP responses with a 5xx status.')
      .max(1)
      .withTarget(query(
        `sum by (service) (rate(${m.requestDuration}_count{${sel}, ${m.statusCodeLabel}=~"5.."}[$__rate_interval]))\n`
        + `  / sum by (service) (rate(${m.requestDuration}_count{${sel}}[$__rate_interval]))`,
        '{{service}}')))
    .withPanel(panel(latency, units.Seconds, 'p50, p90 and p99 of HTTP request duration.')
      .withTarget(query(`histogram_quantile(0.5, sum by (service, le) (rate(${m.requestDuration}_bucket{${sel}}[$__rate_interval])))`, '{{service}} p50', 'A'))
      .withTarget(query(`histogram_quantile(0.9, sum by (service, le) (rate(${m.requestDuration}_bucket{${sel}}[$__rate_interval])))`, '{{service}} p90', 'B'))
      .withTarget(query(`histogram_quantile(0.99, sum by (service, le) (rate(${m.requestDuration}_bucket{${sel}}[$__rate_interval])))`, '{{service}} p99', 'C')))
    .withRow(new RowBuilder('Go runtime'))
    .withPanel(panel(goroutines, units.Short, 'Goroutines per pod.')
      .withTarget(query(`sum by (pod) (${m.goroutines}{${sel}})`, '{{pod}}')))
    .withPanel(panel(gc, units.Seconds, 'Average and maximum stop-the-world GC pause per pod.')
      .withTarget(query(`sum by (pod) (rate(${m.gcPauses}_sum{${sel}}[$__rate_interval])) / sum by (pod) (rate(${m.gcPauses}_count{${sel}}[$__rate_interval]))`, '{{pod}} avg', 'A'))
      .withTarget(query(`max by (pod) (${m.gcPauses}{${sel}, quantile="1"})`, '{{pod}} max', 'B')))
    .withPanel(panel(heap, units.BytesIEC, 'Bytes of allocated heap objects per pod.')
      .withTarget(query(`sum by (pod) (${m.heapAlloc}{${sel}})`, '{{pod}}')))
    .withRow(new RowBuilder('Resources'))
    .withPanel(panel(cpu, 'cores', 'CPU used per pod, against the container CPU limit.')
      .withTarget(query(`sum by (pod) (rate(${m.cpuUsage}{${pod}}[$__rate_interval]))`, '{{pod}} used', 'A'))
      .withTarget(query(`max by (pod) (${m.resourceLimits}{${pod}, resource="cpu"})`, '{{pod}} limit', 'B')))
    .withPanel(panel(memory, units.BytesIEC, 'Working-set memory per pod, against the container memory limit.')
      .withTarget(query(`max by (pod) (${m.memoryWorkingSet}{${pod}})`, '{{pod}} used', 'A'))
      .withTarget(query(`max by (pod) (${m.resourceLimits}{${pod}, resource="memory"})`, '{{pod}} limit', 'B')));
  return JSON.parse(JSON.stringify(builder.build())) as Record<string, unknown>;
}
