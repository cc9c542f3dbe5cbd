// Consumer (c): a repo whose other workloads use a current cdk8s-plus line,
// mixed with ours in one chart (CommonJS, node16 resolution).
import * as path from 'path';
import { App, Chart, Size, YamlOutputType } from 'cdk8s';
import * as plus33 from 'cdk8s-plus-33';
import { GoMicroservice, synthApp } from 'cdk8s-go-platform';

export function buildPlatform(app: App): void {
  const chart = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
  const orders = new GoMicroservice(chart, 'orders', { image: 'registry.example.com/shop/orders:1.4.2' });

  // A workload of the repo's own, written with cdk8s-plus-33.
  const reports = new plus33.Deployment(chart, 'reports', {
    replicas: 1,
    automountServiceAccountToken: false,
    securityContext: { ensureNonRoot: true, user: 65532, group: 65532 },
    containers: [{
      name: 'reports',
      image: 'registry.example.com/shop/reports:0.9.0',
      portNumber: 8080,
      securityContext: {
        ensureNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, user: 65532, group: 65532,
        capabilities: { drop: [plus33.Capability.ALL] },
        seccompProfile: { type: plus33.SeccompProfileType.RUNTIME_DEFAULT },
      },
      resources: {
        cpu: { request: plus33.Cpu.millis(100), limit: plus33.Cpu.millis(500) },
        memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
      },
      readiness: plus33.Probe.fromHttpGet('/readyz'),
      liveness: plus33.Probe.fromHttpGet('/healthz'),
    }],
  });

  // Our service admits the plus-33 workload.
  orders.allowFrom(reports);
}

if (require.main === module) {
  for (const env of ['staging', 'production']) {
    const app = new App({ outdir: path.join(process.env.CDK8S_OUTDIR ?? 'dist', env), yamlOutputType: YamlOutputType.FILE_PER_CHART });
    buildPlatform(app);
    synthApp(app);
  }
}
