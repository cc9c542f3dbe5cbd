import { App, Chart } from 'cdk8s';
import { AlertReceiver, AlertSeverity, ObservabilityStack, Storage } from '../lib';
import { Environment } from './environments';
import { ShopServices } from './platform';

/**
 * The observability stack of one environment, in a chart of its own, with
 * every shop service monitored: self-contained where the environment keeps
 * its own Prometheus, operator mode where it names a kube-prometheus-stack
 * release.
 */
export function buildObservability(app: App, env: Environment, services: ShopServices): ObservabilityStack {
  const o = env.observability;
  const chart = new Chart(app, 'observability', { namespace: o.namespace, disableResourceNameHashes: true });
  const alertRules = [{
    alert: 'OrdersGrpcErrors',
    expr: 'sum by (namespace) (rate(rpc_server_duration_milliseconds_count{service="orders", rpc_grpc_status_code!="0"}[5m])) > 1',
    for: '10m',
    severity: AlertSeverity.WARNING,
    summary: 'orders answers more than one failed gRPC call per second',
  }];
  const stack = o.operatorRelease !== undefined
    ? new ObservabilityStack(chart, 'observability', {
      namespace: o.namespace,
      alertRules,
      operator: { releaseLabel: o.operatorRelease, otlpEndpoint: o.otlpEndpoint },
    })
    : new ObservabilityStack(chart, 'observability', {
      namespace: o.namespace,
      alertRules,
      prometheus: {
        retention: o.retention,
        storage: o.storageSize !== undefined ? Storage.persistentVolumeClaim({ size: o.storageSize }) : Storage.emptyDir({ sizeLimit: '4Gi' }),
      },
      loki: { retention: '72h', storage: Storage.emptyDir({ sizeLimit: '4Gi' }) },
      tempo: { retention: '24h', storage: Storage.emptyDir({ sizeLimit: '2Gi' }) },
      alertmanager: {
        receivers: [
          AlertReceiver.none('null'),
          AlertReceiver.slack('shop-team', { channel: `#shop-${env.name}-alerts`, apiUrl: { secretName: 'alertmanager-slack', key: 'webhook-url' } }),
        ],
        route: {
          receiver: 'null',
          routes: [{ receiver: 'shop-team', matchers: ['severity=~"critical|warning"'] }],
        },
      },
    });
  for (const service of [services.users, services.orders, services.payments]) {
    stack.monitor(service);
  }
  // The worker has no Service for a ServiceMonitor to follow: only the
  // self-contained stack, which scrapes pods by annotation, can monitor it.
  if (o.operatorRelease === undefined) {
    stack.monitor(services.orderEvents);
  }
  return stack;
}
