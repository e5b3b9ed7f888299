#!/usr/bin/env node
// The `csms-emulator` command: runs this platform's binary with the same arguments and
// standard streams, passes signals on, and exits as the binary did.
'use strict';

const { spawn } = require('node:child_process');
const { binaryPath } = require('../lib/binary');

let binary;
try {
  binary = binaryPath();
} catch (err) {
  console.error(err.message);
  process.exit(1);
}

const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (err) => {
  console.error(`csms-emulator: cannot run ${binary}: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  } else {
    process.exit(code ?? 1);
  }
});
