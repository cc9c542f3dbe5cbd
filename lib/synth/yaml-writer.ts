import * as os from 'os';
import { MessageChannel, receiveMessageOnPort, Worker } from 'worker_threads';
import { dump, DumpOptions, JSON_SCHEMA } from 'js-yaml';
import { yamlLib } from '../common/yaml';

/**
 * The `yaml` options cdk8s's `Yaml.stringify` uses (YAML 1.1, no line
 * wrapping, undefined kept), plus `aliasDuplicateObjects: false`: an object
 * referenced twice in one manifest is written out in full instead of as an
 * anchor and alias, which spares the serializer its duplicate search (about a
 * third of its time on manifests) and keeps the YAML readable by tools that do
 * not follow aliases. Everything else is byte-identical to `Yaml.stringify`.
 */
const YAML_OPTIONS = { keepUndefined: true, lineWidth: 0, version: '1.1', aliasDuplicateObjects: false } as const;

/**
 * `js-yaml` options that write what `yaml` writes with `YAML_OPTIONS` for the
 * documents `fastPathSafe` accepts: block style everywhere, no line wrapping,
 * no aliases, double quotes when a string needs quotes.
 *
 * The JSON schema (null, booleans, integers, floats) spares js-yaml testing
 * every string against its date and merge-key patterns (about a tenth of its
 * time); a string that looks like a date or `<<` never passes the character
 * rules of `safeString`, and `sameScalar` asks js-yaml with these same
 * options, so such a string takes the fast path only where the bytes agree.
 */
const JS_YAML_PLAIN_OPTIONS = { lineWidth: -1, noRefs: true, quotingType: '"' } as const;
const JS_YAML_OPTIONS: DumpOptions = { ...JS_YAML_PLAIN_OPTIONS, schema: JSON_SCHEMA };

/**
 * A YAML stream of `docs`, byte for byte as cdk8s writes a chart's file with
 * the `yaml` package (`YAML_OPTIONS`).
 *
 * Each document goes to `js-yaml` (about four times faster on manifests) when
 * `fastPathSafe` proves that both serializers write it identically, and to
 * `yaml` otherwise. test/synth/yaml-writer.test.ts checks the byte identity
 * on the example platform, the benchmark fleet and a set of YAML 1.1 edge
 * cases.
 *
 * @internal
 */
export function manifestsToYaml(docs: readonly unknown[]): string {
  return docs.map((doc) => (doc === undefined ? '\n' : documentToYaml(doc))).join('---\n');
}

/**
 * Fewest documents in one app for which a worker thread pays: starting it
 * and loading js-yaml there costs about what js-yaml takes for a thousand
 * documents on the calling thread. Smaller apps do not start one.
 */
export const WORKER_MIN_DOCUMENTS = 1000;

/** Share of the documents offered to the worker: the calling thread also checks every document and copies the worker's share to it. */
const WORKER_SHARE = 0.5;

/** How long the calling thread waits for the worker before it writes the worker's share itself. */
const WORKER_TIMEOUT_MS = 120_000;

/**
 * Whether a worker thread may write an app's YAML: asked for (`threads`)
 * and at least two cores available. It is started only for an app of at
 * least `WORKER_MIN_DOCUMENTS` objects, and used only when the app renders
 * at least as many documents (`workerPays`).
 *
 * @internal
 */
export function workerWanted(threads: boolean, cores: number = availableCores()): boolean {
  return threads && cores >= 2;
}

/** Whether an app of `documents` documents is worth a worker thread. @internal */
export function workerPays(documents: number): boolean {
  return documents >= WORKER_MIN_DOCUMENTS;
}

function availableCores(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * Several YAML streams (one per file), each as `manifestsToYaml` writes it.
 * With a `worker` (`startYamlWorker`), the fast-path documents of the second half are
 * written by js-yaml on a worker thread (the same js-yaml module, the same
 * options) while the calling thread writes the rest; the texts are put
 * together in document order, so the bytes do not depend on the thread
 * that wrote them. `threaded` says whether a worker wrote any of them.
 *
 * @internal
 */
export function manifestFilesToYaml(files: ReadonlyArray<readonly unknown[]>, worker: YamlWorker | undefined): { texts: string[]; threaded: boolean } {
  const all: unknown[] = [];
  for (const docs of files) {
    for (const doc of docs) {
      all.push(doc);
    }
  }
  const written = worker instanceof YamlWorkerThread ? writeWithWorker(all, worker) : undefined;
  const texts: string[] = [];
  let i = 0;
  for (const docs of files) {
    const parts: string[] = [];
    for (const doc of docs) {
      parts.push(written ? written[i] : doc === undefined ? '\n' : documentToYaml(doc));
      i++;
    }
    texts.push(parts.join('---\n'));
  }
  return { texts, threaded: written !== undefined };
}

/** Code of the worker: js-yaml with the fast path's options over the documents it is sent. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
let ready;
try {
  // Loaded as soon as the thread starts, while the calling thread renders.
  const { dump, JSON_SCHEMA } = require(workerData.jsYaml);
  const options = { ...workerData.options, schema: JSON_SCHEMA };
  ready = (docs) => docs.map((doc) => dump(doc, options));
} catch (e) {
  ready = () => { throw e; };
}
parentPort.once('message', ({ docs, port, done }) => {
  let answer;
  try {
    answer = { texts: ready(docs) };
  } catch (e) {
    answer = { error: String((e && e.stack) || e) };
  }
  port.postMessage(answer);
  const flag = new Int32Array(done);
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

/**
 * A worker thread for `manifestFilesToYaml`, started ahead (before the app is
 * rendered, so that it is ready when the YAML is written); `undefined` when
 * none can be started. Used once, then terminated; `close` terminates one
 * that was not used.
 *
 * @internal
 */
export interface YamlWorker {
  close(): void;
}

class YamlWorkerThread implements YamlWorker {
  public readonly worker: Worker;
  public constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { jsYaml: require.resolve('js-yaml'), options: JS_YAML_PLAIN_OPTIONS } });
    this.worker.unref();
  }
  public close(): void {
    void this.worker.terminate();
  }
}

/** @internal */
export function startYamlWorker(): YamlWorker | undefined {
  try {
    return new YamlWorkerThread();
  } catch {
    return undefined;
  }
}

/**
 * Every document's text, the second half's fast-path documents written on
 * the worker thread. A worker that fails or does not answer in time leaves
 * its share to the calling thread.
 */
function writeWithWorker(all: readonly unknown[], thread: YamlWorkerThread): string[] {
  const worker = thread.worker;
  try {
    const texts: string[] = new Array<string>(all.length);
    const sent: number[] = [];
    const docs: unknown[] = [];
    for (let i = Math.floor(all.length * (1 - WORKER_SHARE)); i < all.length; i++) {
      const doc = all[i];
      if (isPlainObject(doc) && fastPathSafe(doc)) {
        sent.push(i);
        docs.push(doc);
      }
    }
    const { port1, port2 } = new MessageChannel();
    const done = new SharedArrayBuffer(4);
    worker.postMessage({ docs, port: port2, done }, [port2]);
    let next = 0;
    for (let i = 0; i < all.length; i++) {
      if (next < sent.length && sent[next] === i) {
        next++;
        continue;
      }
      const doc = all[i];
      texts[i] = doc === undefined ? '\n' : documentToYaml(doc);
    }
    Atomics.wait(new Int32Array(done), 0, 0, WORKER_TIMEOUT_MS);
    const answer = receiveMessageOnPort(port1)?.message as { texts?: string[] } | undefined;
    port1.close();
    sent.forEach((index, k) => {
      texts[index] = answer?.texts?.length === sent.length ? answer.texts[k] : dump(all[index], JS_YAML_OPTIONS);
    });
    return texts;
  } finally {
    thread.close();
  }
}

/** One document, through the fast serializer when that is proven to give the same bytes. */
function documentToYaml(doc: unknown): string {
  return isPlainObject(doc) && fastPathSafe(doc) ? dump(doc, JS_YAML_OPTIONS) : yamlLib().stringify(doc, YAML_OPTIONS);
}

/**
 * Whether `js-yaml` with `JS_YAML_OPTIONS` writes `value` exactly as `yaml`
 * with `YAML_OPTIONS` does.
 *
 * The two agree on structure (block maps and sequences, nesting, empty
 * collections as `{}` and `[]`, `null`, booleans, integers) and differ on
 * some scalars: `yaml` resolves plain scalars as YAML 1.1 (`1_000`, `+.5`,
 * `1:20` and `y` are numbers or booleans there, so it quotes them), picks
 * single quotes for a string holding `"`, and escapes other characters.
 * Hence only plain data is accepted (plain objects and arrays, safe integers,
 * booleans, `null`), and strings as `safeString` decides; anything else
 * (floats, `undefined`, class instances, multi-line strings, long keys) goes
 * to `yaml`.
 *
 * @internal
 */
export function fastPathSafe(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
      return safeString(value, false);
    case 'number':
      return Number.isSafeInteger(value) && !Object.is(value, -0);
    case 'boolean':
      return true;
    case 'object':
      if (value === null) {
        return true;
      }
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) {
          return false;
        }
        // A hole reads as undefined, which is rejected.
        for (let i = 0; i < value.length; i++) {
          if (!fastPathSafe(value[i])) {
            return false;
          }
        }
        return true;
      }
      if (!isPlainObject(value)) {
        return false;
      }
      for (const key of Object.keys(value)) {
        if (!safeString(key, true) || !fastPathSafe((value as Record<string, unknown>)[key])) {
          return false;
        }
      }
      return true;
    default:
      return false;
  }
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
    && Object.getOwnPropertySymbols(value).length === 0;
}

/**
 * Strings that both serializers write plain, known without asking them: the
 * characters are letters, digits and `._/-` (and `:` inside a value, never
 * last), none of which needs quoting or escaping, and the string cannot be
 * read as anything but a string.
 *
 * What the two schemas (YAML 1.1 in `yaml`; `js-yaml`'s, with its YAML 1.1
 * compatibility for booleans) resolve to another type starts with a digit, a
 * sign, a dot, `~`, `<` or `=`, except the booleans and nulls spelt in
 * letters and, for `yaml`'s YAML 1.1 float pattern (whose mantissa is
 * optional), `e` or `E` followed by digits (`E9`, `e-3`): `RESERVED_WORDS`.
 *
 * A string starting with a digit is a number, date or time only if all its
 * letters are among `a-f` (hex), `o`, `t`, `x`, `z` and their capitals:
 * `NON_NUMERIC_LETTER` finds one that is not (`460MiB`, `500m`, `5s`).
 */
const PLAIN_KEY = /^[A-Za-z/][A-Za-z0-9._/-]*$/;
const PLAIN_VALUE = /^[A-Za-z/](?:[A-Za-z0-9._/:-]*[A-Za-z0-9._/-])?$/;
/**
 * Lists of `key=value` pairs and `$(VAR)` references in a value
 * (`k8s.pod.name=$(POD_NAME),service.version=1.2.3`, as in
 * `OTEL_RESOURCE_ATTRIBUTES`): starting with a letter, `=`, `$`, `(`, `)` and
 * `,` inside are plain to both in block context (flow indicators matter only
 * inside `[...]`/`{...}`, which neither serializer writes here), and the
 * string cannot be read as a number, date or keyword. Without the rule every
 * such value (one per service, each different) would be written twice to
 * compare.
 */
const PLAIN_ASSIGNMENTS = /^[A-Za-z][A-Za-z0-9._/:=$(),-]*[A-Za-z0-9._/)-]$/;
const RESERVED_WORDS = /^(?:y|n|yes|no|on|off|true|false|null|e[-+]?[0-9]+)$/i;
/**
 * Booleans and null spelt as both read them (`"true"` in an annotation, a
 * label or a ConfigMap): both write such a value in double quotes. Spares
 * loading `yaml` only to ask about them.
 */
const QUOTED_KEYWORD = /^(?:true|True|TRUE|false|False|FALSE|null|Null|NULL)$/;
const DIGIT_FIRST = /^[0-9][A-Za-z0-9._/-]*$/;
const NON_NUMERIC_LETTER = /[g-np-su-wyG-NP-SU-WY]/;
/** Three or more dot-separated numbers (`1.4.2`): no number or date; both write it plain. */
const DOTTED_NUMBERS = /^[0-9]+(?:\.[0-9]+){2,}$/;
/** A decimal integer without leading zero or sign: an integer in every schema; both write it in double quotes. */
const DECIMAL = /^(?:0|[1-9][0-9]{0,14})$/;

/** `---`, `...` or `%` at the start: `yaml` quotes such a string, or not, by its indentation. */
const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/;

/** Longest key taken by the fast path: `yaml` and `js-yaml` write a key over 1,024 characters as an explicit `? ` key. */
const MAX_KEY_LENGTH = 1000;

/** Memo of `sameScalar`, per position; cleared when it grows past `MEMO_LIMIT` entries. */
const memo = { key: new Map<string, boolean>(), value: new Map<string, boolean>() };
const MEMO_LIMIT = 10_000;

/**
 * Whether both serializers write the string `s` identically as a mapping
 * key (`isKey`) or as a value (in a mapping or a sequence).
 */
function safeString(s: string, isKey: boolean): boolean {
  if (isKey && s.length > MAX_KEY_LENGTH) {
    // Explicit keys depend on the indentation around them.
    return false;
  }
  if ((isKey ? PLAIN_KEY : PLAIN_VALUE).test(s)) {
    return !RESERVED_WORDS.test(s) || (!isKey && QUOTED_KEYWORD.test(s)) || sameScalar(s, isKey);
  }
  if (DIGIT_FIRST.test(s) && (NON_NUMERIC_LETTER.test(s) || DOTTED_NUMBERS.test(s) || DECIMAL.test(s))) {
    return true;
  }
  if (!isKey && PLAIN_ASSIGNMENTS.test(s)) {
    return !RESERVED_WORDS.test(s) || sameScalar(s, isKey);
  }
  if (s.includes('\n') || DOCUMENT_MARKER.test(s)) {
    // Block scalars, and what `yaml` writes for a string that starts like a
    // document marker, depend on the indentation around them.
    return false;
  }
  return sameScalar(s, isKey);
}

/**
 * Asks both serializers: a string without a line break is written on one
 * line, in a form that does not depend on where it stands in the document
 * (neither serializer wraps lines here), so writing it once as a key, or
 * once as a mapping value and a sequence item, settles every occurrence.
 */
function sameScalar(s: string, isKey: boolean): boolean {
  const cache = isKey ? memo.key : memo.value;
  let same = cache.get(s);
  if (same === undefined) {
    const probe = isKey ? { [s]: 1 } : { value: s, items: [s] };
    same = yamlLib().stringify(probe, YAML_OPTIONS) === dump(probe, JS_YAML_OPTIONS);
    if (cache.size >= MEMO_LIMIT) {
      cache.clear();
    }
    cache.set(s, same);
  }
  return same;
}
