// The Node helper: `CsmsEmulator.start(options)` runs the csms-emulator binary on a free
// loopback port and resolves once it is healthy, with the control API as methods
// (lib/control.js). The process gets `--exit-on-stdin-close` and a pipe on its standard
// input that nothing writes to, so it stops when this Node process ends, however it ends.
'use strict';

const { spawn } = require('node:child_process');
const { binaryPath } = require('./lib/binary');
const { EmulatorControl, CsmsEmulatorError, DEFAULT_PROJECT_ID } = require('./lib/control');

// The serving line is logged at info; a level that drops it makes start() time out.
const DEFAULT_LOG_LEVEL = 'info';
// A line only for requests answered with an error, and a summary at most once a minute;
// the journal keeps every request.
const DEFAULT_REQUEST_LOG = 'errors';
const LOG_LEVEL_ENV = 'CSMS_EMULATOR_LOG';
const SERVING = /csms-emulator serving listen=(\S+)/;
const OUTPUT_LINES = 200;
const HEALTH_POLL_MS = 5;

/**
 * This process's environment without its CSMS_* variables (CSMS_EMULATOR_* excepted):
 * every flag has one, and a stray CSMS_DATA_DIR or CSMS_AUTH from a .env file or a CI job
 * must not change this emulator behind the options' back. `options.env` may set them.
 */
function inheritedEnv() {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('CSMS_') || k.startsWith('CSMS_EMULATOR_')),
  );
}

/** The start options that are flags, as the binary's arguments. */
function flags(options) {
  const args = [];
  const add = (flag, value) => {
    if (value === undefined || value === null) return;
    for (const item of Array.isArray(value) ? value : [value]) args.push(flag, String(item));
  };
  add('--auth', options.auth);
  add('--credential', options.credentials);
  add('--token', options.tokens);
  add('--control-token', options.controlToken);
  add('--data-dir', options.dataDir);
  add('--seed', options.seed);
  add('--project-id', options.projectId);
  add('--request-log', options.requestLog ?? DEFAULT_REQUEST_LOG);
  return args.concat(options.args ?? []);
}

/** A running csms-emulator process. Create one with `CsmsEmulator.start()`. */
class CsmsEmulator extends EmulatorControl {
  /**
   * Starts the emulator and resolves once `/_emulator/health` answers 200; rejects, with
   * the process's last output, if it exits first or `startupTimeoutMs` passes.
   * @param {import('./index').StartOptions} [options]
   * @returns {Promise<CsmsEmulator>}
   */
  static async start(options = {}) {
    const emulator = new CsmsEmulator(options);
    try {
      await emulator.#waitUntilHealthy(options.startupTimeoutMs ?? 10_000);
    } catch (err) {
      await emulator.stop();
      throw err;
    }
    return emulator;
  }

  #process;
  #output = [];
  #address = null;
  #serving;
  #onServing;
  #exited = false;
  #exit;

  /** @private use CsmsEmulator.start() */
  constructor(options) {
    super(null, { projectId: options.projectId, controlToken: options.controlToken });
    const binary = binaryPath(options.binary);
    const listen = `${options.host ?? '127.0.0.1'}:${options.port ?? 0}`;
    const args = ['--listen', listen, '--exit-on-stdin-close', ...flags(options)];
    const logLevel = options.logLevel ?? process.env[LOG_LEVEL_ENV] ?? DEFAULT_LOG_LEVEL;
    this.#serving = new Promise((resolve) => {
      this.#onServing = resolve;
    });
    this.#process = spawn(binary, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...inheritedEnv(), RUST_LOG: logLevel, ...options.env },
      // Its own process group: a Ctrl-C in the terminal reaches the test runner, whose end
      // then closes the pipe, rather than the emulator and the runner at once.
      detached: process.platform !== 'win32',
    });
    this.#exit = new Promise((resolve) => {
      // 'close', not 'exit': by then its output has been read to the end.
      this.#process.once('close', (code, signal) => {
        this.#exited = true;
        this.#process.stdin.destroy();
        resolve(code ?? signal);
      });
      this.#process.once('error', (err) => {
        this.#exited = true;
        this.#remember(`cannot run ${binary}: ${err.message}`);
        resolve(null);
      });
    });
    // Both streams are read to their end so the pipes never fill.
    this.#read(this.#process.stdout);
    this.#read(this.#process.stderr);
    // A running emulator keeps no Node process alive: one that forgets stop() still ends,
    // and its end stops the emulator. start() and stop() hold timers while they wait.
    this.#process.unref();
    for (const stream of [this.#process.stdin, this.#process.stdout, this.#process.stderr]) stream.unref();
  }

  /** The process id. */
  get pid() {
    return this.#process.pid;
  }

  /** The last lines the process printed (its log, and any start-up error). */
  output() {
    return this.#output.join('\n');
  }

  #read(stream) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      for (const line of lines) this.#remember(line);
    });
    stream.on('end', () => {
      if (pending) this.#remember(pending);
    });
  }

  #remember(line) {
    this.#output.push(line);
    if (this.#output.length > OUTPUT_LINES) this.#output.shift();
    const found = this.#address === null && SERVING.exec(line);
    if (found) {
      this.#address = found[1];
      this.#onServing();
    }
  }

  async #waitUntilHealthy(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(resolve, timeoutMs, 'timeout');
    });
    try {
      const first = await Promise.race([this.#serving, this.#exit.then(() => 'exited'), timeout]);
      if (first === 'exited') {
        const status = await this.#exit;
        throw this.#startError(status === null ? 'could not start' : `exited with ${status} before it served`);
      }
      if (first === 'timeout') throw this.#startError(`did not serve within ${timeoutMs} ms`);
      this.endpoint = `http://${this.#address}`;
      while (!(await this.isHealthy())) {
        if (this.#exited) throw this.#startError(`at ${this.endpoint} exited with ${await this.#exit}`);
        if (Date.now() > deadline) {
          throw this.#startError(`at ${this.endpoint} did not answer its health check within ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
      }
    } finally {
      clearTimeout(timer);
    }
  }

  #startError(what) {
    return new Error(`csms-emulator ${what}; its output:\n${this.output()}`);
  }

  /**
   * Stops the process (SIGTERM, a graceful stop; SIGKILL past `timeoutMs`) and resolves to
   * its exit code, or the signal that ended it. Stopping twice is harmless.
   * @param {{timeoutMs?: number}} [options]
   */
  async stop({ timeoutMs = 10_000 } = {}) {
    if (!this.#exited) {
      // Windows has no SIGTERM to catch; the closed standard input stops it as gracefully.
      if (process.platform === 'win32') this.#process.stdin.end();
      else this.#process.kill('SIGTERM');
      const timer = setTimeout(() => this.#process.kill('SIGKILL'), timeoutMs);
      await this.#exit;
      clearTimeout(timer);
    }
    return this.#exit;
  }
}

module.exports = { CsmsEmulator, EmulatorControl, CsmsEmulatorError, DEFAULT_PROJECT_ID, binaryPath };
