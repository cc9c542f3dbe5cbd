import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

describe('cdk8s-go-platform/local entry point', () => {
  test('the core entry point loads without cdktf or the Docker provider', () => {
    jest.isolateModules(() => {
      jest.doMock('cdktf', () => {
        throw new Error('the core must not load cdktf');
      });
      jest.doMock('@cdktf/provider-docker/lib/container', () => {
        throw new Error('the core must not load the Docker provider');
      });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const core = require('../../lib') as typeof import('../../lib');
      expect(core.GoDockerfile).toBeDefined();
      expect(core.GoMicroservice).toBeDefined();
    });
  });

  test('package.json exposes ./local and keeps cdktf an optional peer', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.exports['./local']).toEqual({ types: './build/lib/local/index.d.ts', default: './build/lib/local/index.js' });
    expect(pkg.peerDependencies.cdktf).toBe('^0.21.0');
    expect(pkg.peerDependencies['@cdktf/provider-docker']).toBe('^12.0.3');
    expect(pkg.peerDependenciesMeta.cdktf).toEqual({ optional: true });
    expect(pkg.peerDependenciesMeta['@cdktf/provider-docker']).toEqual({ optional: true });
    expect(pkg.dependencies?.cdktf).toBeUndefined();
  });
});
