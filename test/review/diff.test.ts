import { diffManifests, RiskId } from '../../lib/review/diff';
import { formatDiffMarkdown, formatDiffText } from '../../lib/review/diff-format';
import { admit, deployment, hpa, httpRoute, namespace, nsNamed, pdb, podsOf, service, shop } from './fixtures';
import type { Manifest } from './fixtures';

function risks(before: Manifest[], after: Manifest[]): string[] {
  return diffManifests(before, after).risks.map((r) => `${r.id} | ${r.object} | ${r.message}`);
}

function clone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x));
}

describe('diff: objects and fields', () => {
  test('identical sets have no changes', () => {
    const d = diffManifests(shop(), shop());
    expect(d).toEqual({ objects: [], services: [], risks: [], unchanged: 4 });
    expect(formatDiffText(d)).toBe('no changes\n');
  });

  test('objects are keyed by apiVersion, kind, namespace and name; fields by path', () => {
    const after = shop();
    after[0].spec.template.spec.containers[0].image = 'registry.example.com/orders:1.1.0';
    const d = diffManifests(shop(), after);
    expect(d.objects).toEqual([{
      key: 'apps/v1 Deployment shop/orders', status: 'changed', service: 'shop/orders',
      fields: [{ path: 'spec.template.spec.containers[0].image', type: 'changed', old: 'registry.example.com/orders:1.0.0', new: 'registry.example.com/orders:1.1.0' }],
    }]);
    expect(d.unchanged).toBe(3);
  });

  test('a content-hashed ConfigMap with a new name is a rename with data changes, not a removal', () => {
    const cm = (name: string, level: string): Manifest => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop', labels: { 'app.kubernetes.io/name': 'orders' } }, data: { LOG_LEVEL: level }, immutable: true });
    const d = diffManifests([cm('orders-config-0123456789', 'info')], [cm('orders-config-abcdef0123', 'debug')]);
    expect(d.objects).toMatchObject([{ key: 'v1 ConfigMap shop/orders-config-abcdef0123', status: 'renamed', renamedFrom: 'v1 ConfigMap shop/orders-config-0123456789' }]);
    expect(d.risks).toEqual([]);
    expect(d.services).toEqual([{ service: 'shop/orders', changes: ['config LOG_LEVEL info → debug'] }]);
  });
});

describe('diff: per-service summary', () => {
  test('image, scaling, route and traffic changes read as one line per service', () => {
    const before = [...shop(), hpa('shop', 'orders', 2, 10), admit('shop', 'orders', [podsOf('gateway')], 8080),
      httpRoute('shop', 'api', { rules: [{ matches: [{ path: { value: '/api/users' } }], backendRefs: [{ name: 'users', port: 80 }] }] })];
    const after = [...shop(), hpa('shop', 'orders', 2, 20),
      {
        ...admit('shop', 'orders', [podsOf('gateway')], 8080),
        spec: { ...admit('shop', 'orders', [], 0).spec, ingress: [{ from: [podsOf('gateway')], ports: [{ port: 8080, protocol: 'TCP' }] }, { from: [podsOf('users')], ports: [{ port: 9090, protocol: 'TCP' }] }] },
      },
      httpRoute('shop', 'api', { rules: [
        { matches: [{ path: { value: '/api/users' } }], backendRefs: [{ name: 'users', port: 80 }] },
        { matches: [{ path: { value: '/api/orders' } }], backendRefs: [{ name: 'orders', port: 80 }] },
      ] })];
    after[0].spec.template.spec.containers[0].image = 'registry.example.com/orders:1.5.0';
    before[0].spec.template.spec.containers[0].image = 'registry.example.com/orders:1.4.2';
    const d = diffManifests(before, after);
    expect(d.services).toEqual([{
      service: 'shop/orders',
      changes: ['image 1.4.2 → 1.5.0', 'maxReplicas 10 → 20', 'now admits traffic from users on grpc', 'route /api/orders added'],
    }]);
  });
});

describe('diff: risk flags', () => {
  test('immutable fields: Deployment selector, Job template, Service clusterIP, StatefulSet volumeClaimTemplates', () => {
    const job = (image: string): Manifest => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'shop' }, spec: { template: { spec: { containers: [{ name: 'm', image }] } } } });
    const svc = (ip: string): Manifest => ({ ...service('shop', 'db'), spec: { ...service('shop', 'db').spec, clusterIP: ip } });
    const sts = (size: string): Manifest => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'shop' }, spec: { serviceName: 'db', volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: size } } } }] } });
    const before = [deployment('shop', 'orders'), job('m:1.0.0'), svc('10.0.0.10'), sts('10Gi')];
    const after = clone(before);
    after[0].spec.selector.matchLabels.track = 'blue';
    after[1] = job('m:1.0.1');
    after[2] = svc('10.0.0.11');
    after[3] = sts('20Gi');
    expect(risks(before, after).filter((r) => r.startsWith(RiskId.IMMUTABLE_FIELD))).toEqual([
      'immutable-field | Deployment shop/orders | spec.selector changed (immutable): the object must be deleted and recreated',
      'immutable-field | Job shop/migrate | spec.template changed (immutable): the object must be deleted and recreated',
      'immutable-field | Service shop/db | spec.clusterIP changed (immutable): the object must be deleted and recreated',
      'immutable-field | StatefulSet shop/db | spec.volumeClaimTemplates changed (immutable): the object must be deleted and recreated',
    ]);
    expect(risks(before, after)).toContain('storage | StatefulSet shop/db | volumeClaimTemplates changed');
  });

  test('removed objects', () => {
    expect(risks(shop(), shop().slice(0, 3))).toEqual(['removed | Service shop/users | removed']);
  });

  test('PersistentVolumeClaim changes are storage risks', () => {
    const pvc = (size: string): Manifest => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'shop' }, spec: { resources: { requests: { storage: size } } } });
    expect(risks([pvc('1Gi')], [pvc('2Gi')])).toEqual(['storage | PersistentVolumeClaim shop/data | PersistentVolumeClaim changed: spec.resources.requests.storage']);
    expect(risks([], [pvc('1Gi')])).toEqual(['storage | PersistentVolumeClaim shop/data | new PersistentVolumeClaim']);
  });

  test('network widened: compared on admitted traffic, so a reordered policy is not a risk but a wider one is', () => {
    const base = [...shop(), namespace('shop'), namespace('observability'), deployment('observability', 'prometheus'),
      admit('shop', 'users', [{ namespaceSelector: nsNamed('observability'), ...podsOf('prometheus') }, podsOf('orders')])];
    const reordered = clone(base);
    reordered[7].spec.ingress[0].from.reverse();
    expect(risks(base, reordered).filter((r) => r.startsWith('network'))).toEqual([]);
    const wider = clone(base);
    wider[7].spec.ingress[0].from[0] = { namespaceSelector: {} };
    expect(risks(base, wider).filter((r) => r.startsWith('network'))).toEqual([
      'network-widened | Deployment shop/users | now admits every pod in every namespace (wide) on http',
    ]);
  });

  test('PDB and HPA floors lowered', () => {
    const before = [pdb('shop', 'a', { minAvailable: 2 }), pdb('shop', 'b', { maxUnavailable: '10%' }), hpa('shop', 'c', 3, 10), pdb('shop', 'd', { minAvailable: 1 })];
    const after = [pdb('shop', 'a', { minAvailable: 1 }), pdb('shop', 'b', { maxUnavailable: '50%' }), hpa('shop', 'c', 1, 10)];
    expect(risks(before, after)).toEqual([
      'floor-lowered | HorizontalPodAutoscaler shop/c | minReplicas 3 → 1',
      'floor-lowered | PodDisruptionBudget shop/a | minAvailable 2 → 1',
      'floor-lowered | PodDisruptionBudget shop/b | maxUnavailable 10% → 50%',
      'floor-lowered | PodDisruptionBudget shop/d | PodDisruptionBudget removed: no floor any more',
      'removed | PodDisruptionBudget shop/d | removed',
    ]);
  });

  test('images unpinned or downgraded (semantic versions, v prefix and pre-releases)', () => {
    const img = (name: string, image: string): Manifest => deployment('shop', name, { image });
    const before = [img('a', 'r/a:1.5.0'), img('b', 'r/b:v2.0.0'), img('c', 'r/c:1.0.0'), img('d', 'r/d:1.0.0@sha256:' + 'a'.repeat(64)), img('e', 'r/e:2.0.0-rc.2')];
    const after = [img('a', 'r/a:1.4.2'), img('b', 'r/b:v2.1.0'), img('c', 'r/c:latest'), img('d', 'r/d:1.0.0'), img('e', 'r/e:2.0.0-rc.1')];
    expect(risks(before, after)).toEqual([
      'image | Deployment shop/a | image r/a downgraded 1.5.0 → 1.4.2',
      'image | Deployment shop/c | image r/c:latest is not pinned (no version tag or digest)',
      `image | Deployment shop/d | image r/d:1.0.0 dropped the digest pin of r/d:1.0.0@sha256:${'a'.repeat(64)}`,
      'image | Deployment shop/e | image r/e downgraded 2.0.0-rc.2 → 2.0.0-rc.1',
    ]);
  });

  test('Secret references added', () => {
    const after = shop();
    after[0].spec.template.spec.containers[0].env = [{ name: 'DB', valueFrom: { secretKeyRef: { name: 'orders-db', key: 'url' } } }];
    expect(risks(shop(), after)).toEqual(['secret-added | Deployment shop/orders | now reads Secret orders-db (shop/orders-db)']);
    expect(diffManifests(shop(), after).services).toEqual([{ service: 'shop/orders', changes: ['env DB added', 'now reads Secret orders-db'] }]);
  });
});

describe('diff: formats', () => {
  test('Markdown for a pull request comment: risks table, services, folded field changes', () => {
    const after = shop();
    after[0].spec.template.spec.containers[0].image = 'registry.example.com/orders:0.9.0';
    const md = formatDiffMarkdown(diffManifests(shop(), after.slice(0, 3)), 'production');
    expect(md).toContain('**2 risks flagged** · 1 changed, 0 renamed, 0 added, 1 removed, 2 unchanged');
    expect(md).toContain('| `image` image unpinned or downgraded | `Deployment shop/orders` | image registry.example.com/orders downgraded 1.0.0 → 0.9.0 |');
    expect(md).toMatchSnapshot();
  });
});
