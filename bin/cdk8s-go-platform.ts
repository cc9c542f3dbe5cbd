#!/usr/bin/env node
import { runInit } from '../lib/init';
import { runPolicyCli } from '../lib/policy/cli';

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
};

// Subcommands with their own module; everything else is the policy gate's
// command line (check, rules, help).
const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'init':
    process.exitCode = runInit(rest, io);
    break;
  default:
    process.exitCode = runPolicyCli(process.argv.slice(2), io);
}
