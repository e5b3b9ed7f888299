#!/usr/bin/env node
// The `csms-emulator` command: runs this platform's binary (lib/binary.js) with the same
// arguments and standard streams, passes SIGINT, SIGTERM and SIGHUP on, and ends as the
// binary ended: with its exit code, or killed by the same signal.
'use strict';

const { spawn } = require('node:child_process');
const { constants } = require('node:os');
const { binaryPath } = require('../lib/binary');

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'];

let binary;
try {
  binary = binaryPath();
} catch (err) {
  console.error(err.message);
  process.exit(1);
}

// Listening before the child exists: a signal that comes while it starts waits in the
// event loop until this synchronous block has spawned it, rather than killing this process.
const forward = (signal) => child.kill(signal);
for (const signal of FORWARDED) process.on(signal, forward);
const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit' });

child.on('error', (err) => {
  console.error(`csms-emulator: cannot run ${binary}: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal === null) process.exit(code);
  for (const forwarded of FORWARDED) process.off(forwarded, forward);
  process.kill(process.pid, signal);
  // Still here: Node ignores this signal (SIGPIPE), so end as a shell reports a signal.
  process.exit(128 + constants.signals[signal]);
});
