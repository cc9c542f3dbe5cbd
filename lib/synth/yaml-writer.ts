import * as os from 'os';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'worker_threads';
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
  return docs.map(documentText).join('---\n');
}

/**
 * Fewest documents in one app for which a worker thread pays: starting it
 * and loading js-yaml there costs about what js-yaml takes for a thousand
 * documents on the calling thread. Smaller apps do not start one.
 */
export const WORKER_MIN_DOCUMENTS = 1000;

/** How long the calling thread waits for the worker to hand over what it wrote before it writes that itself. */
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

/** Most documents sent to the worker in one message. */
const WORKER_BATCH = 100;

/** A slot of a document sent to the worker: who writes it. */
const UNCLAIMED = 0;
const BY_WORKER = 1;
const BY_CALLER = 2;

/**
 * Writes the YAML of an app's files, each as `manifestsToYaml` writes it,
 * taking the files as they are rendered (`addFile`) and giving the texts back
 * at the end (`finish`).
 *
 * With a worker (`startYamlWorker`), every fast-path document is sent to it
 * as soon as its file is added, so that js-yaml runs on the worker while the
 * calling thread renders the next charts. At `finish` the calling thread
 * writes, from the last document backwards, every document the worker has
 * not started yet, and the worker stops where the two meet: each document
 * has a slot in shared memory that one of the two claims with an atomic
 * compare-and-exchange before writing it, so each is written exactly once,
 * by whichever thread gets to it first, and no timing decides the bytes.
 * Texts are put together in document order; documents the worker claimed
 * but did not hand over (it failed, or took longer than
 * `WORKER_TIMEOUT_MS`) are written by the calling thread.
 *
 * @internal
 */
export class ManifestWriter {
  private readonly docs: unknown[] = [];
  private readonly fileSizes: number[] = [];
  /** Documents sent to the worker, in order: their index, and the batch slot that says who writes them. */
  private readonly sent: Array<{ readonly index: number; readonly slots: Int32Array; readonly slot: number }> = [];
  /** Whether each document was sent to the worker. */
  private readonly toWorker: boolean[] = [];
  private readonly channel: { readonly own: MessagePort; readonly done: Int32Array } | undefined;

  public constructor(private readonly worker: YamlWorker | undefined) {
    if (worker instanceof YamlWorkerThread) {
      const { port1, port2 } = new MessageChannel();
      const done = new SharedArrayBuffer(4);
      worker.worker.postMessage({ start: true, port: port2, done }, [port2]);
      this.channel = { own: port1, done: new Int32Array(done) };
    }
  }

  /**
   * Adds a file's documents; with a worker, sends it those the fast path
   * takes, in batches of at most `WORKER_BATCH` (so that it starts on a large
   * file before the whole file is copied to it).
   */
  public addFile(docs: readonly unknown[]): void {
    const first = this.docs.length;
    this.fileSizes.push(docs.length);
    let batch: unknown[] = [];
    let indices: number[] = [];
    for (let k = 0; k < docs.length; k++) {
      const doc = docs[k];
      const send = this.channel !== undefined && isPlainObject(doc) && fastPathSafe(doc);
      this.docs.push(doc);
      this.toWorker.push(send);
      if (send) {
        batch.push(doc);
        indices.push(first + k);
      }
      if (batch.length === WORKER_BATCH || (k === docs.length - 1 && batch.length > 0)) {
        this.send(batch, indices);
        batch = [];
        indices = [];
      }
    }
  }

  private send(batch: unknown[], indices: number[]): void {
    const slots = new Int32Array(new SharedArrayBuffer(4 * batch.length));
    indices.forEach((index, slot) => this.sent.push({ index, slots, slot }));
    (this.worker as YamlWorkerThread).worker.postMessage({ docs: batch, indices, slots: slots.buffer });
  }

  /** How many documents the worker has claimed so far. */
  public workerClaims(): number {
    return this.sent.filter(({ slots, slot }) => Atomics.load(slots, slot) === BY_WORKER).length;
  }

  /** How many documents were sent to the worker. */
  public get sentToWorker(): number {
    return this.sent.length;
  }

  /**
   * The text of every file, in the order added. `threaded` says whether the
   * worker wrote any document. Closes the worker.
   */
  public finish(): { texts: string[]; threaded: boolean } {
    const texts = new Array<string | undefined>(this.docs.length);
    let threaded = false;
    try {
      if (this.channel) {
        threaded = this.shareWithWorker(texts, this.channel);
      }
      this.docs.forEach((doc, i) => {
        texts[i] ??= documentText(doc);
      });
    } finally {
      this.worker?.close();
    }
    const files: string[] = [];
    let i = 0;
    for (const size of this.fileSizes) {
      files.push(texts.slice(i, i + size).join('---\n'));
      i += size;
    }
    return { texts: files, threaded };
  }

  /** Writes, from the end, the sent documents the worker has not claimed, then takes what the worker wrote. */
  private shareWithWorker(texts: Array<string | undefined>, channel: { readonly own: MessagePort; readonly done: Int32Array }): boolean {
    (this.worker as YamlWorkerThread).worker.postMessage({ end: true });
    for (let k = this.sent.length - 1; k >= 0; k--) {
      const { index, slots, slot } = this.sent[k];
      if (Atomics.compareExchange(slots, slot, UNCLAIMED, BY_CALLER) !== UNCLAIMED) {
        break; // the worker writes this one and every earlier one it was sent
      }
      texts[index] = dump(this.docs[index], JS_YAML_OPTIONS);
    }
    // Documents the fast path does not take, while the worker finishes.
    this.docs.forEach((doc, i) => {
      if (!this.toWorker[i]) {
        texts[i] = documentText(doc);
      }
    });
    let threaded = false;
    if (Atomics.wait(channel.done, 0, 0, WORKER_TIMEOUT_MS) !== 'timed-out') {
      for (let m = receiveMessageOnPort(channel.own); m !== undefined; m = receiveMessageOnPort(channel.own)) {
        const { indices, texts: written } = m.message as { indices: number[]; texts: string[] };
        indices.forEach((index, j) => {
          texts[index] = written[j];
        });
        threaded ||= indices.length > 0;
      }
    }
    channel.own.close();
    return threaded;
  }
}

/**
 * Several YAML streams (one per file), each as `manifestsToYaml` writes it:
 * `ManifestWriter` given every file at once.
 *
 * @internal
 */
export function manifestFilesToYaml(files: ReadonlyArray<readonly unknown[]>, worker: YamlWorker | undefined): { texts: string[]; threaded: boolean } {
  const writer = new ManifestWriter(worker);
  files.forEach((docs) => writer.addFile(docs));
  return writer.finish();
}

/**
 * Code of the worker: js-yaml with the fast path's options over the
 * documents it is sent, each claimed in its batch's shared slots before it
 * is written. Once the calling thread has claimed one (it writes from the
 * end), it has claimed every later one, so the worker skips the rest. What it
 * wrote goes back in one message per batch; `done` is set after the last.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
let write;
try {
  // Loaded as soon as the thread starts, while the calling thread renders.
  const { dump, JSON_SCHEMA } = require(workerData.jsYaml);
  const options = { ...workerData.options, schema: JSON_SCHEMA };
  write = (doc) => dump(doc, options);
} catch (e) {
  write = undefined;
}
let port;
let done;
let stopped = write === undefined;
parentPort.on('message', (m) => {
  if (m.start) {
    port = m.port;
    done = new Int32Array(m.done);
  } else if (m.docs) {
    const slots = new Int32Array(m.slots);
    const indices = [];
    const texts = [];
    for (let k = 0; k < m.docs.length && !stopped; k++) {
      if (Atomics.compareExchange(slots, k, ${UNCLAIMED}, ${BY_WORKER}) !== ${UNCLAIMED}) {
        stopped = true;
        break;
      }
      try {
        texts.push(write(m.docs[k]));
        indices.push(m.indices[k]);
      } catch (e) {
        stopped = true;
      }
    }
    port.postMessage({ indices, texts });
  } else if (m.end) {
    Atomics.store(done, 0, 1);
    Atomics.notify(done, 0);
  }
});
`;

/**
 * A worker thread for `ManifestWriter`, started ahead (before the app is
 * rendered, so that it has loaded js-yaml when the first documents come);
 * `undefined` when none can be started. Used by one writer, then
 * terminated; `close` terminates one that was not used.
 *
 * @internal
 */
export interface YamlWorker {
  close(): void;
}

class YamlWorkerThread implements YamlWorker {
  public readonly worker: Worker;
  public constructor(jsYaml: string) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { jsYaml, options: JS_YAML_PLAIN_OPTIONS } });
    this.worker.unref();
    // A worker that fails hands nothing over: the calling thread writes its documents (ManifestWriter.finish).
    this.worker.on('error', () => undefined);
  }
  public close(): void {
    void this.worker.terminate();
  }
}

/**
 * Starts a `YamlWorker`; `jsYaml` is the js-yaml module file it loads (the
 * one this module uses).
 *
 * @internal
 */
export function startYamlWorker(jsYaml: string = require.resolve('js-yaml')): YamlWorker | undefined {
  try {
    return new YamlWorkerThread(jsYaml);
  } catch {
    return undefined;
  }
}

/** A document's text in a stream: an empty line for `undefined`, as cdk8s writes it. */
function documentText(doc: unknown): string {
  return doc === undefined ? '\n' : documentToYaml(doc);
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
