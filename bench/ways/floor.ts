/**
 * Way "floor": the same objects, already plain JSON, serialized to YAML
 * exactly as cdk8s does (`Yaml.stringify`, one file per chart) with no
 * constructs at all: the least any cdk8s-based synth can cost.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { runWay } from './harness';

/** The runner's input: file name → objects in output order. */
export type FloorInput = Record<string, unknown[]>;

runWay('floor', (args, phase) => {
  if (!args.input) {
    throw new Error('floor needs --input <objects.json> (prepared by the runner)');
  }
  const files = phase('read', () => JSON.parse(fs.readFileSync(args.input!, 'utf8')) as FloorInput);
  phase('serialize', () => {
    fs.mkdirSync(args.out, { recursive: true });
    for (const [file, objects] of Object.entries(files)) {
      Yaml.save(path.join(args.out, file), objects);
    }
  });
});
