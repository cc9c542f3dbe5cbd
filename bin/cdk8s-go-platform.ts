#!/usr/bin/env node
import { runPolicyCli } from '../lib/policy/cli';

process.exitCode = runPolicyCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
