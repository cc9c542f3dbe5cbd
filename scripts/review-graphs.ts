/**
 * Draws the example platform: docs/graph/<environment>.svg and .mmd from
 * dist/<environment>/. Run by `npm run synth` after the YAML is written; CI
 * fails when the committed pictures differ from what this writes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { buildGraph } from '../lib/review/graph-model';
import { readManifestDir } from '../lib/review/manifests';
import { toMermaid, toSvg } from '../lib/review/render';

const ROOT = path.resolve(__dirname, '..');
const ENVIRONMENTS = ['staging', 'production'];

async function main(): Promise<void> {
  const out = path.join(ROOT, 'docs', 'graph');
  fs.mkdirSync(out, { recursive: true });
  for (const env of ENVIRONMENTS) {
    const graph = buildGraph(readManifestDir(path.join(ROOT, 'dist', env)));
    fs.writeFileSync(path.join(out, `${env}.svg`), await toSvg(graph, env));
    fs.writeFileSync(path.join(out, `${env}.mmd`), toMermaid(graph, env));
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
