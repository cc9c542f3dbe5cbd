import { App, Chart } from 'cdk8s';
import { AlertReceiver, AlertSeverity, Certificates, GrafanaAuth, IngressController, ObservabilityStack, SecureIngress, Storage } from '../lib';
import { Environment } from './environments';
import { ShopServices } from './shop';

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
        cluster: `shop-${env.name}`,
        environment: env.name,
        remoteWrite: [{ url: 'https://metrics.example.com/api/v1/push', name: 'long-term', auth: { bearerToken: { secretName: 'prometheus-remote-write', key: 'token' } } }],
        retention: o.retention,
        storage: o.storageSize !== undefined ? Storage.persistentVolumeClaim({ size: o.storageSize }) : Storage.emptyDir({ sizeLimit: '4Gi' }),
      },
      loki: { retention: '72h', storage: Storage.emptyDir({ sizeLimit: '4Gi' }) },
      tempo: { retention: '24h', storage: Storage.emptyDir({ sizeLimit: '2Gi' }) },
      alertmanager: {
        replicas: 3,
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
  if (stack.grafana !== undefined) {
    // Grafana at grafana.<domain>, behind the environment's ingress controller, with single sign-on.
    const edge = new SecureIngress(chart, 'grafana-edge', {
      partOf: 'observability',
      ingress: { ingressClassName: env.edge.className, controller: IngressController.ingressNginx() },
      certificates: Certificates.fromClusterIssuer(env.edge.clusterIssuer),
    });
    stack.exposeGrafana(edge, {
      host: `grafana.${env.domain}`,
      auth: GrafanaAuth.oidc({
        authUrl: 'https://sso.example.com/oauth2/authorize',
        tokenUrl: 'https://sso.example.com/oauth2/token',
        apiUrl: 'https://sso.example.com/oauth2/userinfo',
        clientId: `grafana-${env.name}`,
        clientSecret: { secretName: 'grafana-oidc', key: 'client-secret' },
        roleAttributePath: "contains(groups[*], 'shop-sre') && 'Admin' || 'Viewer'",
      }),
    });
  }
  return stack;
}
