/**
 * Way "GoMicroservice": the fleet written with this library's L3 construct.
 */
import { App, Chart, YamlOutputType } from 'cdk8s';
import { Construct } from 'constructs';
import { Certificates, GoMicroservice, IngressController, SecureIngress } from '../../lib';
import { ChartLayout, fleet, FLEET_INGRESS, FLEET_NAMESPACE, FleetService, routePath } from '../fleet';
import { runWay } from './harness';

/** Builds the fleet into `app` with one GoMicroservice per service. */
export function buildGoMicroserviceFleet(app: App, services: FleetService[], layout: ChartLayout): void {
  const single = layout === ChartLayout.SINGLE ? fleetChart(app, FLEET_NAMESPACE) : undefined;
  const built = new Map<string, GoMicroservice>();
  for (const s of services) {
    const scope: Construct = single ?? fleetChart(app, s.name);
    built.set(s.name, new GoMicroservice(scope, s.name, {
      image: s.image,
      partOf: FLEET_NAMESPACE,
      grpcPort: s.grpcPort,
      autoscaling: { minReplicas: s.minReplicas, maxReplicas: s.maxReplicas },
      config: s.config,
      secretEnv: { DATABASE_URL: { secretName: s.databaseSecret, key: 'url' } },
    }));
  }
  for (const s of services) {
    if (s.calledBy) {
      built.get(s.name)!.allowFrom(built.get(s.calledBy)!);
    }
  }
  const edge = new SecureIngress(single ?? fleetChart(app, FLEET_INGRESS.chartId), FLEET_INGRESS.name, {
    partOf: FLEET_NAMESPACE,
    ingress: { ingressClassName: FLEET_INGRESS.ingressClassName, controller: IngressController.ingressNginx(FLEET_INGRESS.controllerNamespace) },
    certificates: Certificates.fromClusterIssuer(FLEET_INGRESS.clusterIssuer),
  });
  for (const s of services) {
    edge.addRoute({ host: FLEET_INGRESS.host, path: routePath(s.name), service: built.get(s.name)! });
  }
}

/** A chart of the fleet's namespace, as the example platform makes them. */
export function fleetChart(app: App, id: string): Chart {
  return new Chart(app, id, { namespace: FLEET_NAMESPACE, disableResourceNameHashes: true });
}

runWay('go-microservice', (args, phase) => {
  const app = new App({ outdir: args.out, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  phase('build', () => buildGoMicroserviceFleet(app, fleet(args.n), args.layout));
  phase('synth', () => app.synth());
});
