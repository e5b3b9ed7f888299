// Types of the Node helper: index.js (CsmsEmulator) and lib/control.js (the control API).

export interface StartOptions {
  /** The binary to run (default: $CSMS_EMULATOR_BINARY, else this platform's package). */
  binary?: string;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** `--auth` (the emulator's default is `off`). */
  auth?: 'off' | 'enforce';
  /** `AK:SK` or `AK:SK:PROJECT`, each a `--credential`. */
  credentials?: string[];
  /** `TOKEN` or `TOKEN:PROJECT`, each a `--token`. */
  tokens?: string[];
  /** `--control-token`: opens the control API in enforce mode; control calls send it. */
  controlToken?: string;
  /** `--data-dir`: state kept on disk in this folder. */
  dataDir?: string;
  /** `--seed`: a fixture file, or a folder of them, loaded before serving. */
  seed?: string;
  /** `--project-id`, and the `projectId` this object reports. */
  projectId?: string;
  /**
   * RUST_LOG for the process (default: $CSMS_EMULATOR_LOG, else `info`). It must keep the
   * info line `csms_emulator` logs when it serves.
   */
  logLevel?: string;
  /**
   * `--request-log`: `errors` (the default here) logs only requests answered with an
   * error, plus a summary at most once a minute; `all` logs a line per request.
   */
  requestLog?: 'all' | 'errors';
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Extra raw arguments. */
  args?: string[];
  /** Default 10000. */
  startupTimeoutMs?: number;
}

export interface Clock {
  /** Epoch milliseconds. */
  now: number;
  mode: 'real' | 'frozen';
  offset_ms: number;
  due_work_ran?: number;
}

export interface FaultRule {
  /** An SDK operation name such as `CreateSecret`, or `*` (the default). */
  operation?: string;
  projectId?: string;
  /** A regular expression over secret names. */
  secretPattern?: string;
  status?: number;
  errorCode?: string;
  errorMsg?: string;
  latencyMs?: number;
  /** Only the next N matching calls. */
  times?: number;
  /** The fraction of matching calls. */
  probability?: number;
}

export declare const DEFAULT_PROJECT_ID: string;

/** The binary start() runs: `explicit`, else $CSMS_EMULATOR_BINARY, else this platform's package. */
export declare function binaryPath(explicit?: string): string;

/** The emulator refused a control call. */
export declare class CsmsEmulatorError extends Error {
  status: number;
  errorCode: string;
  errorMsg: string;
}

/** The control API of an emulator that is running (started here or elsewhere). */
export declare class EmulatorControl {
  constructor(endpoint: string, options?: { projectId?: string; controlToken?: string });
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly projectId: string;
  call(method: string, path: string, body?: unknown): Promise<any>;
  isHealthy(): Promise<boolean>;
  isReady(): Promise<boolean>;
  clock(): Promise<Clock>;
  advanceClock(seconds: number): Promise<Clock>;
  setClock(when: Date | number): Promise<Clock>;
  freezeClock(frozen?: boolean): Promise<Clock>;
  reset(projectId?: string): Promise<void>;
  seed(
    fixture: object | string,
    options?: { projectId?: string },
  ): Promise<{ project_id: string; secrets: number; events: number }>;
  export(options?: { projectId?: string; values?: boolean }): Promise<any>;
  setSecretState(
    secretName: string,
    state: 'ENABLED' | 'DISABLED' | 'FROZEN',
    options?: { projectId?: string },
  ): Promise<Record<string, unknown>>;
  journal(options?: { limit?: number }): Promise<Record<string, unknown>[]>;
  clearJournal(): Promise<void>;
  injectFault(rule?: FaultRule): Promise<number>;
  faults(): Promise<Record<string, unknown>[]>;
  removeFault(id: number): Promise<void>;
  clearFaults(): Promise<void>;
  newProjectId(): string;
}

/** A csms-emulator process started by this package. */
export declare class CsmsEmulator extends EmulatorControl {
  private constructor();
  static start(options?: StartOptions): Promise<CsmsEmulator>;
  readonly pid: number;
  /** The last lines the process printed. */
  output(): string;
  /** Resolves to the exit code, or the signal that ended the process. */
  stop(options?: { timeoutMs?: number }): Promise<number | string | null>;
}
