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
// Expressions are lexed, parsed and evaluated by GitHub's own implementation
// (@actions/expressions) against the `github` context only: another context
// (secrets, steps, ...) or a status function such as success() is an error,
// never a guess.
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';
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
const context = JSON.parse(JSON.stringify({ github }), data.reviver);

function evaluate(text) {
  const expr = new Parser(new Lexer(text).lex().tokens, ['github'], []).parse();
  return new Evaluator(expr, context).evaluate();
}

/** An `if:` condition: with or without `${{ }}`, absent means success(). */
function condition(text) {
  if (text === undefined) return true;
  const m = /^\s*\$\{\{(.*)\}\}\s*$/s.exec(String(text));
  return truthy(evaluate(m ? m[1] : String(text)));
}

function substitute(value) {
  return String(value).replace(/\$\{\{(.*?)\}\}/g, (_, expr) => evaluate(expr).coerceString());
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
