import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { byString } from '../common/files';
import { DEFAULT_KUBERNETES_VERSION } from '../common/kubernetes-version';
import { stableStringify } from '../common/hash';
import { PolicyOptions } from './types';

/**
 * The policy gate's receipt: `synthApps` writes it into an app's output
 * folder when the gate found nothing in that app, and only when the app runs
 * under `cdk8s synth` with validation plugins (cdk8s sets `CDK8S_OUTDIR` and
 * `CDK8S_RECORD_CONSTRUCT_METADATA=true`). The `PolicyValidation` plugin, which
 * `cdk8s synth` runs right after the app, reads it and skips checking that
 * folder again when the receipt proves the check it would do was done:
 *
 * - the same gate code: the receipt names the file of this module, so the app
 *   and the plugin loaded the same installed copy of the package;
 * - the same options, compared after resolving the Kubernetes version default;
 * - the same bytes: a SHA-256 per manifest file, and exactly the files the
 *   plugin was given for that cluster (folder), no more and no fewer;
 * - no finding at all (no warning either, which the plugin would report).
 *
 * The check is a pure function of those inputs, so its result is the one
 * recorded. Anything else (another folder layout, a file changed or added,
 * other options, another copy of the package) makes the plugin check as
 * usual. The plugin removes the receipt after reading it, so it never stays
 * in the output folder.
 *
 * @internal
 */
export interface GateReceipt {
  /** Format of the receipt. */
  readonly receipt: 1;
  /** The file of the gate module that checked (this module's file). */
  readonly gate: string;
  /** The options the gate ran with, key-sorted JSON, Kubernetes version resolved. */
  readonly options: string;
  /** SHA-256 (hex) of each manifest file checked, by path relative to the output folder. */
  readonly files: Readonly<Record<string, string>>;
}

/** File name of the receipt in an output folder: not `*.yaml` nor `*.json`, so no tool reads it as a manifest. @internal */
export const GATE_RECEIPT_FILE = '.cdk8s-go-platform-gate-receipt';

/** The options as the gate applies them, in a form that compares equal when they are equal. @internal */
export function resolvedPolicyOptions(options: PolicyOptions): string {
  return stableStringify({ ...options, kubernetesVersion: options.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION });
}

function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The receipt's text for an app whose gate found nothing: `files` are the
 * manifest files the gate checked, by path relative to the output folder,
 * with their exact text.
 *
 * @internal
 */
export function gateReceiptText(options: PolicyOptions, files: ReadonlyMap<string, string>): string {
  const hashes: Record<string, string> = {};
  for (const [file, text] of [...files].sort(([a], [b]) => byString(a, b))) {
    hashes[file.split(path.sep).join('/')] = sha256(text);
  }
  const receipt: GateReceipt = { receipt: 1, gate: __filename, options: resolvedPolicyOptions(options), files: hashes };
  return `${JSON.stringify(receipt, null, 2)}\n`;
}

/**
 * Reads and removes the receipt in `folder`, and says whether it proves that
 * `manifests` (the files of that one cluster) passed the gate with `options`.
 *
 * @internal
 */
export function takeGateReceipt(folder: string, manifests: readonly string[], options: PolicyOptions): boolean {
  const file = path.join(folder, GATE_RECEIPT_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  fs.rmSync(file, { force: true });
  let receipt: GateReceipt;
  try {
    receipt = JSON.parse(text);
  } catch {
    return false;
  }
  if (receipt.receipt !== 1 || receipt.gate !== __filename || receipt.options !== resolvedPolicyOptions(options)) {
    return false;
  }
  const expected = Object.keys(receipt.files ?? {}).sort();
  const given = manifests.map((m) => path.relative(folder, m).split(path.sep).join('/')).sort();
  if (expected.length !== given.length || expected.some((f, i) => f !== given[i])) {
    return false;
  }
  return given.every((rel) => sha256(fs.readFileSync(path.join(folder, rel))) === receipt.files[rel]);
}
