import { Construct } from 'constructs';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr, ServiceMonitor, ServiceMonitorSpecEndpointsRelabelingsAction } from '../../imports/monitoring.coreos.com';
import { PROMETHEUS_TRACK_LABEL, TRACK_LABEL_META } from '../common/labels';
import type { IMonitorableWorkload, MetricsEndpoint } from '../common/contracts';
import { RenderedRuleGroup } from './alert-rules';

/** Options of the ServiceMonitor for one service. @internal */
export interface ServiceMonitorOptions {
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly interval: string;
}

/**
 * A ServiceMonitor that scrapes `service` on its `metrics` Service port, or on
 * `http` when metrics share the HTTP port, at the service's metrics path.
 *
 * @internal
 */
export function serviceMonitorFor(scope: Construct, id: string, service: IMonitorableWorkload, endpoint: MetricsEndpoint, options: ServiceMonitorOptions): ServiceMonitor {
  return new ServiceMonitor(scope, id, {
    metadata: { name: service.name, namespace: options.namespace, labels: options.labels },
    spec: {
      selector: { matchLabels: service.serviceSelectorLabels },
      namespaceSelector: { matchNames: [options.namespace] },
      endpoints: [{
        port: endpoint.servicePortName,
        path: endpoint.path,
        interval: options.interval,
        relabelings: [
          // A release track's pods: the track as a label of its own, and the
          // service label of the app rather than of the track's Service
          // (`orders-canary`, `payments-preview`), so rules group tracks of one service.
          { sourceLabels: [TRACK_LABEL_META], targetLabel: PROMETHEUS_TRACK_LABEL, action: ServiceMonitorSpecEndpointsRelabelingsAction.REPLACE },
          {
            sourceLabels: [TRACK_LABEL_META, '__meta_kubernetes_service_label_app_kubernetes_io_name'],
            regex: '.+;(.+)',
            replacement: '$1',
            targetLabel: 'service',
            action: ServiceMonitorSpecEndpointsRelabelingsAction.REPLACE,
          },
        ],
      }],
    },
  });
}

/** A PrometheusRule holding `groups`. @internal */
export function prometheusRuleOf(scope: Construct, id: string, metadata: { name: string; namespace: string; labels: Record<string, string> }, groups: RenderedRuleGroup[]): PrometheusRule {
  return new PrometheusRule(scope, id, {
    metadata,
    spec: {
      groups: groups.map((g) => ({
        name: g.name,
        rules: g.rules.map((r) => ({
          alert: r.alert,
          expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr),
          for: r.for,
          labels: r.labels,
          annotations: r.annotations,
        })),
      })),
    },
  });
}
