// Runs the `run:` steps of a GitHub Actions workflow on this machine, as the
// event EVENT would: job and step `if:` conditions are evaluated against a
// `github` context for that event, `${{ }}` in `env:` values are substituted,
// `uses:` steps (checkout, setup-node) are skipped (the consumer check has
// already checked out and installed), and each script runs as GitHub runs it
// by default, `bash -e` on a script file, with CI, RUNNER_TEMP (one per job),
// GITHUB_STEP_SUMMARY and the GITHUB_* variables set.
//
//   node run-workflow.mjs <workflow.yml> --event push|pull_request
//        [--job <id>] [--skip-install] [--fork] [--summary <file>]
//
// --job         run only this job (its `needs` are taken as done)
// --skip-install  leave out `npm ci` and `npm run typecheck` steps (already
//               run in this folder; they do not depend on the Node line)
// --fork        the pull request comes from a fork (head repository differs)
// --summary     append the job summaries to this file
//
// Only the expression syntax the scaffolded workflow uses is understood:
// `github.*` properties, string/number/boolean/null literals, ==, !=, &&, ||,
// ! and parentheses. Anything else is an error, never a guess.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = args[0];
const event = option('--event');
const onlyJob = option('--job');
const summaryOut = option('--summary');
const skipInstall = args.includes('--skip-install');
if (!file || !['push', 'pull_request'].includes(event)) {
  console.error('usage: run-workflow.mjs <workflow.yml> --event push|pull_request [--job <id>] [--skip-install] [--fork] [--summary <file>]');
  process.exit(2);
}

const repository = 'consumer/platform';
const github = {
  event_name: event,
  repository,
  actor: 'platform-engineer',
  token: '',
  server_url: 'https://github.com',
  run_id: '1',
  ref: event === 'push' ? 'refs/heads/main' : 'refs/pull/1/merge',
  event: event === 'pull_request'
    ? { pull_request: { number: 1, head: { repo: { full_name: args.includes('--fork') ? 'contributor/platform' : repository } } } }
    : {},
};

// ------------------------------------------------------------ expressions
function tokenize(text) {
  const tokens = [];
  const re = /\s*(?:('(?:[^']|'')*')|(==|!=|&&|\|\||!|\(|\))|(-?\d+(?:\.\d+)?)|([A-Za-z_][\w-]*(?:\.[\w-]+)*))/y;
  let m;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    m = re.exec(text);
    if (!m) throw new Error(`unsupported expression syntax at "${text.slice(at)}" in: ${text}`);
    at = re.lastIndex;
    if (m[1] !== undefined) tokens.push({ t: 'value', v: m[1].slice(1, -1).replace(/''/g, "'") });
    else if (m[2] !== undefined) tokens.push({ t: m[2] });
    else if (m[3] !== undefined) tokens.push({ t: 'value', v: Number(m[3]) });
    else tokens.push({ t: 'name', v: m[4] });
  }
  return tokens;
}

function lookup(name) {
  if (name === 'true' || name === 'false') return name === 'true';
  if (name === 'null') return null;
  const [root, ...rest] = name.split('.');
  if (root !== 'github') throw new Error(`unsupported context "${root}" in ${name}`);
  let v = github;
  for (const key of rest) {
    v = v !== null && typeof v === 'object' && key in v ? v[key] : null;
  }
  return v;
}

function evaluate(text) {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i]?.t;
  const expect = (t) => {
    if (peek() !== t) throw new Error(`expected ${t} in: ${text}`);
    i++;
  };
  const equal = (a, b) => (typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b);
  const primary = () => {
    const tok = tokens[i++];
    if (!tok) throw new Error(`unexpected end of: ${text}`);
    if (tok.t === 'value') return tok.v;
    if (tok.t === 'name') {
      if (peek() === '(') throw new Error(`unsupported function ${tok.v}() in: ${text}`);
      return lookup(tok.v);
    }
    if (tok.t === '(') {
      const v = or();
      expect(')');
      return v;
    }
    throw new Error(`unexpected ${tok.t} in: ${text}`);
  };
  const comparison = () => {
    const left = primary();
    if (peek() === '==' || peek() === '!=') {
      const op = tokens[i++].t;
      const right = primary();
      return op === '==' ? equal(left, right) : !equal(left, right);
    }
    return left;
  };
  const unary = () => {
    if (peek() === '!') {
      i++;
      return !unary();
    }
    return comparison();
  };
  const and = () => {
    let v = unary();
    while (peek() === '&&') {
      i++;
      const r = unary();
      v = v && r;
    }
    return v;
  };
  const or = () => {
    let v = and();
    while (peek() === '||') {
      i++;
      const r = and();
      v = v || r;
    }
    return v;
  };
  const v = or();
  if (i !== tokens.length) throw new Error(`unexpected ${peek()} in: ${text}`);
  return v;
}

/** An `if:` condition: with or without `${{ }}`, absent means success(). */
function condition(text) {
  if (text === undefined) return true;
  const m = /^\s*\$\{\{(.*)\}\}\s*$/s.exec(String(text));
  return Boolean(evaluate(m ? m[1] : String(text)));
}

function substitute(value) {
  return String(value).replace(/\$\{\{(.*?)\}\}/g, (_, expr) => {
    const v = evaluate(expr);
    return v === null || v === undefined ? '' : String(v);
  });
}

// ------------------------------------------------------------------- run
const workflow = parse(fs.readFileSync(file, 'utf8'));
const jobs = Object.entries(workflow.jobs);
if (onlyJob !== undefined && !workflow.jobs[onlyJob]) {
  console.error(`run-workflow: no job ${onlyJob} in ${file}`);
  process.exit(2);
}
const envOf = (o) => Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k, substitute(v)]));

for (const [id, job] of jobs) {
  if (onlyJob !== undefined && id !== onlyJob) continue;
  if (!condition(job.if)) {
    console.log(`-- ${event}: job ${id} skipped (if: ${job.if})`);
    continue;
  }
  console.log(`-- ${event}: job ${id}`);
  const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), `run-workflow-${id}-`));
  const summary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `run-workflow-summary-`)), 'summary.md');
  fs.writeFileSync(summary, '');
  try {
    for (const step of job.steps) {
      const name = step.name ?? step.run ?? step.uses;
      if (step.uses !== undefined) {
        console.log(`-- step "${name}": skipped (action ${step.uses}; done by the consumer check)`);
        continue;
      }
      if (!condition(step.if)) {
        console.log(`-- step "${name}": skipped (if: ${step.if})`);
        continue;
      }
      if (skipInstall && /^(npm ci|npm run typecheck)\b/.test(step.run.trim())) {
        console.log(`-- step "${name}": skipped (--skip-install)`);
        continue;
      }
      if (step.shell !== undefined || job.defaults !== undefined || workflow.defaults !== undefined) {
        throw new Error(`step "${name}": shell and defaults are not supported here`);
      }
      console.log(`-- step "${name}": ${step.run.trim().split('\n')[0]}${step.run.trim().includes('\n') ? ' ...' : ''}`);
      const script = path.join(runnerTemp, `step-${Math.random().toString(36).slice(2)}.sh`);
      fs.writeFileSync(script, step.run);
      const env = {
        ...process.env,
        ...envOf(workflow.env),
        ...envOf(job.env),
        ...envOf(step.env),
        CI: 'true',
        GITHUB_EVENT_NAME: event,
        GITHUB_REPOSITORY: repository,
        GITHUB_ACTOR: github.actor,
        GITHUB_SERVER_URL: github.server_url,
        GITHUB_RUN_ID: github.run_id,
        GITHUB_REF: github.ref,
        RUNNER_TEMP: runnerTemp,
        GITHUB_STEP_SUMMARY: summary,
      };
      const r = spawnSync('bash', ['-e', script], { env, stdio: ['ignore', 'inherit', 'inherit'] });
      fs.rmSync(script);
      if (r.status !== 0) {
        console.error(`run-workflow: job ${id}, step "${name}" failed (exit ${r.status ?? r.signal})`);
        process.exit(1);
      }
    }
    if (summaryOut !== undefined) {
      fs.appendFileSync(summaryOut, fs.readFileSync(summary));
    }
  } finally {
    fs.rmSync(runnerTemp, { recursive: true, force: true });
    fs.rmSync(path.dirname(summary), { recursive: true, force: true });
  }
}
