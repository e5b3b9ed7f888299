// What the test files share: a plain-fetch CSMS call, and waiting for a process to be gone.
// The tests require 'csms-emulator' by name, so they run against the source folder (the
// package refers to itself; set CSMS_EMULATOR_BINARY) or against an installed copy.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

// A bound on waiting for another process: reaching it is a failure, not slowness.
const PATIENCE_MS = 60_000;

/** The installed (or source) package's folder. */
const PACKAGE_DIR = path.dirname(require.resolve('csms-emulator/package.json'));

/** One CSMS call with fetch: `{status, body}`, the body decoded when there is one. */
async function csms(endpoint, method, urlPath, body) {
  const response = await fetch(endpoint + urlPath, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Whether `pid` runs: exists, and on Linux is not a zombie waiting to be reaped. */
function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false; // gone between the two looks
  }
}

/** Resolves to true once `pid` is gone, false after PATIENCE_MS. */
async function gone(pid) {
  const deadline = Date.now() + PATIENCE_MS;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

module.exports = { PACKAGE_DIR, csms, alive, gone };
