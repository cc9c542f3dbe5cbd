#!/usr/bin/env node
import { runInit } from '../lib/init';
import { runPolicyCli } from '../lib/policy/cli';

const argv = process.argv.slice(2);
const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
};

// Subcommands with their own module; everything else is the policy gate's
// command line (check, rules, help).
if (argv[0] === 'graph' || argv[0] === 'diff') {
  // Review commands load their renderer and diff libraries only when run.
  void import('../lib/review/cli').then(async ({ runReviewCli }) => { process.exitCode = await runReviewCli(argv, io); });
} else if (argv[0] === 'init') {
  process.exitCode = runInit(argv.slice(1), io);
} else {
  process.exitCode = runPolicyCli(argv, io);
}
