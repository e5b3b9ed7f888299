// The Node helper: `CsmsEmulator.start(options)` runs the bundled binary on a free loopback
// port and resolves once it is healthy, with the control API as methods. The process is
// started with `--exit-on-stdin-close` and a pipe on its standard input that is never
// written to, so it stops when this Node process ends, however it ends.
'use strict';

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const { binaryPath } = require('./lib/binary');

const DEFAULT_PROJECT_ID = '0123456789abcdef0123456789abcdef';
// Start-up lines and warnings, without a line per request (the journal keeps those).
const DEFAULT_LOG_LEVEL = 'info,csms_emulator::api::middleware=warn';
const SERVING = /csms-emulator serving listen=(\S+)/;
const OUTPUT_LINES = 200;

/** The emulator refused a control call. */
class CsmsEmulatorError extends Error {
  constructor(status, errorCode, errorMsg, call) {
    super(`${call}: ${status} ${errorCode}: ${errorMsg}`);
    this.name = 'CsmsEmulatorError';
    this.status = status;
    this.errorCode = errorCode;
    this.errorMsg = errorMsg;
  }
}

/** `{credentials: ['AK:SK']}` and friends as the binary's flags. */
function flags(options) {
  const args = [];
  const add = (flag, value) => {
    if (value === undefined || value === null || value === false) return;
    if (value === true) args.push(flag);
    else if (Array.isArray(value)) for (const item of value) args.push(flag, String(item));
    else args.push(flag, String(value));
  };
  add('--auth', options.auth);
  add('--credential', options.credentials);
  add('--token', options.tokens);
  add('--control-token', options.controlToken);
  add('--data-dir', options.dataDir);
  add('--seed', options.seed);
  add('--project-id', options.projectId);
  return args.concat(options.args ?? []);
}

/** A running csms-emulator process. Create one with `CsmsEmulator.start()`. */
class CsmsEmulator {
  /**
   * Starts the emulator and resolves once `/_emulator/health` answers 200.
   * @param {import('./index').StartOptions} [options]
   * @returns {Promise<CsmsEmulator>}
   */
  static async start(options = {}) {
    const emulator = new CsmsEmulator(options);
    try {
      await emulator.#waitUntilServing(options.startupTimeoutMs ?? 10_000);
    } catch (err) {
      await emulator.stop();
      throw err;
    }
    return emulator;
  }

  #process;
  #output = [];
  #exited;
  #controlToken;
  #credential;

  /** @private use CsmsEmulator.start() */
  constructor(options) {
    const host = options.host ?? '127.0.0.1';
    const binary = binaryPath(options.binary);
    const args = ['--listen', `${host}:${options.port ?? 0}`, '--exit-on-stdin-close', ...flags(options)];
    this.projectId = options.projectId ?? DEFAULT_PROJECT_ID;
    this.endpoint = null;
    this.#controlToken = options.controlToken;
    this.#credential = (options.credentials ?? [])[0];
    this.#process = spawn(binary, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, RUST_LOG: options.logLevel ?? DEFAULT_LOG_LEVEL, ...options.env },
    });
    // The emulator must not keep this process alive, nor its pipes the event loop.
    this.#process.unref();
    for (const stream of [this.#process.stdin, this.#process.stdout, this.#process.stderr]) {
      stream.unref?.();
    }
    this.#exited = new Promise((resolve) => {
      this.#process.on('exit', (code, signal) => resolve(code ?? signal));
      this.#process.on('error', (err) => {
        this.#remember(`cannot run ${binary}: ${err.message}`);
        resolve(null);
      });
    });
  }

  /** The process id. */
  get pid() {
    return this.#process.pid;
  }

  /** The last lines the process printed. */
  output() {
    return this.#output.join('\n');
  }

  #remember(line) {
    this.#output.push(line);
    if (this.#output.length > OUTPUT_LINES) this.#output.shift();
  }

  async #waitUntilServing(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    const address = await new Promise((resolve, reject) => {
      let pending = '';
      const timer = setTimeout(
        () => reject(new Error(`csms-emulator did not serve within ${timeoutMs} ms:\n${this.output()}`)),
        timeoutMs,
      );
      const read = (chunk) => {
        pending += chunk.toString();
        const lines = pending.split('\n');
        pending = lines.pop();
        for (const line of lines) {
          this.#remember(line);
          const found = SERVING.exec(line);
          if (found) {
            clearTimeout(timer);
            resolve(found[1]);
          }
        }
      };
      // Both streams are read to their end, so the pipes never fill.
      this.#process.stdout.on('data', read);
      this.#process.stderr.on('data', read);
      this.#exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`csms-emulator exited with ${code} before serving:\n${this.output()}`));
      });
    });
    this.endpoint = `http://${address}`;
    while (!(await this.isHealthy())) {
      if (Date.now() > deadline) {
        throw new Error(`csms-emulator at ${this.endpoint} is not healthy:\n${this.output()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /**
   * One control call; the decoded JSON answer, or null for an empty one.
   * @param {string} method
   * @param {string} path
   * @param {object} [body]
   */
  async call(method, path, body) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#controlToken) headers['x-auth-token'] = this.#controlToken;
    const response = await fetch(this.endpoint + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      let code = '';
      let msg = text;
      try {
        ({ error_code: code, error_msg: msg } = JSON.parse(text));
      } catch {
        // not JSON: keep the text
      }
      throw new CsmsEmulatorError(response.status, code, msg, `${method} ${path}`);
    }
    return text.trim() ? JSON.parse(text) : null;
  }

  /** Whether `/_emulator/health` answers 200. */
  async isHealthy() {
    try {
      await this.call('GET', '/_emulator/health');
      return true;
    } catch {
      return false;
    }
  }

  /** The clock: `{now, mode, offset_ms}`. */
  clock() {
    return this.call('GET', '/_emulator/clock');
  }

  /** Moves the clock forward, running what falls due on the way; resolves to the clock. */
  advanceClock(seconds) {
    return this.call('POST', '/_emulator/clock', { advance: Math.round(seconds * 1000) });
  }

  /** Sets the clock to a Date or epoch milliseconds; resolves to the clock. */
  setClock(when) {
    const ms = when instanceof Date ? when.getTime() : Number(when);
    return this.call('POST', '/_emulator/clock', { set: ms });
  }

  /** Freezes the clock (true) or lets it run (false). */
  freezeClock(frozen = true) {
    return this.call('POST', '/_emulator/clock', { mode: frozen ? 'frozen' : 'real' });
  }

  /** Empties one project, or every project. */
  async reset(projectId) {
    const query = projectId ? `?project=${encodeURIComponent(projectId)}` : '';
    await this.call('POST', `/_emulator/reset${query}`);
  }

  /** The latest requests, oldest first. */
  async journal({ limit } = {}) {
    const query = limit ? `?limit=${limit}` : '';
    return (await this.call('GET', `/_emulator/journal${query}`)).requests;
  }

  /**
   * Makes matching calls fail (or wait); resolves to the rule's id.
   * @param {import('./index').FaultRule} rule
   */
  async injectFault(rule = {}) {
    const { projectId, ...rest } = rule;
    const spec = { operation: '*', ...rest };
    if (projectId) spec.project = projectId;
    return (await this.call('POST', '/_emulator/faults', spec)).id;
  }

  /** Removes one fault rule, or every one. */
  async clearFaults(id) {
    await this.call('DELETE', id === undefined ? '/_emulator/faults' : `/_emulator/faults/${id}`);
  }

  /**
   * Loads a one-project fixture (an object, or a file's path); into `projectId` when given.
   * Resolves to `{project_id, secrets, events}`.
   */
  seed(fixture, { projectId } = {}) {
    const document = typeof fixture === 'string' ? JSON.parse(fs.readFileSync(fixture, 'utf8')) : fixture;
    const query = projectId ? `?project=${encodeURIComponent(projectId)}` : '';
    return this.call('POST', `/_emulator/seed${query}`, document);
  }

  /** The state as a fixture (one project or all); values only when asked. */
  export({ projectId, values } = {}) {
    const query = new URLSearchParams();
    if (projectId) query.set('project', projectId);
    if (values) query.set('values', 'true');
    const text = query.toString();
    return this.call('GET', `/_emulator/export${text ? `?${text}` : ''}`);
  }

  /** A fresh project id (32 hex characters): a namespace of its own, for one test. */
  newProjectId() {
    return crypto.randomBytes(16).toString('hex');
  }

  /** The first `credentials` entry as `{ak, sk}`, for signing SDK clients, if any. */
  get credential() {
    if (!this.#credential) return null;
    const [ak, sk] = this.#credential.split(':');
    return { ak, sk };
  }

  /**
   * Stops the process (its standard input closes, which it watches; SIGKILL after
   * `timeoutMs`) and resolves to its exit code. Stopping twice is harmless.
   */
  async stop({ timeoutMs = 10_000 } = {}) {
    if (this.#process.exitCode === null && this.#process.signalCode === null) {
      this.#process.stdin.end();
      const timer = setTimeout(() => this.#process.kill('SIGKILL'), timeoutMs);
      await this.#exited;
      clearTimeout(timer);
    }
    return this.#exited;
  }
}

module.exports = { CsmsEmulator, CsmsEmulatorError, DEFAULT_PROJECT_ID, binaryPath };
