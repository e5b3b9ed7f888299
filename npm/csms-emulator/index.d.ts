// Types of the Node helper (index.js).

export interface StartOptions {
  /** The binary to run (default: $CSMS_EMULATOR_BINARY, else this platform's package). */
  binary?: string;
  host?: string;
  /** 0 (the default) binds a free port. */
  port?: number;
  auth?: 'off' | 'enforce';
  /** `AK:SK` or `AK:SK:PROJECT`; repeated `--credential`. */
  credentials?: string[];
  /** `TOKEN` or `TOKEN:PROJECT`; repeated `--token`. */
  tokens?: string[];
  /** Opens the control API in enforce mode; control calls send it. */
  controlToken?: string;
  dataDir?: string;
  /** A fixture file or directory loaded before serving. */
  seed?: string;
  projectId?: string;
  /** RUST_LOG for the process (default: no line per request). */
  logLevel?: string;
  env?: Record<string, string>;
  /** Extra raw arguments. */
  args?: string[];
  startupTimeoutMs?: number;
}

export interface Clock {
  now: number;
  mode: 'real' | 'frozen';
  offset_ms: number;
  due_work_ran?: number;
}

export interface FaultRule {
  /** An SDK operation name such as `CreateSecret`, or `*` (the default). */
  operation?: string;
  projectId?: string;
  secret_pattern?: string;
  status?: number;
  error_code?: string;
  error_msg?: string;
  latency_ms?: number;
  times?: number;
  probability?: number;
}

export declare const DEFAULT_PROJECT_ID: string;

export declare function binaryPath(explicit?: string): string;

export declare class CsmsEmulatorError extends Error {
  status: number;
  errorCode: string;
  errorMsg: string;
}

export declare class CsmsEmulator {
  static start(options?: StartOptions): Promise<CsmsEmulator>;
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly projectId: string;
  readonly pid: number;
  readonly credential: { ak: string; sk: string } | null;
  output(): string;
  call(method: string, path: string, body?: unknown): Promise<any>;
  isHealthy(): Promise<boolean>;
  clock(): Promise<Clock>;
  advanceClock(seconds: number): Promise<Clock>;
  setClock(when: Date | number): Promise<Clock>;
  freezeClock(frozen?: boolean): Promise<Clock>;
  reset(projectId?: string): Promise<void>;
  journal(options?: { limit?: number }): Promise<Record<string, unknown>[]>;
  injectFault(rule?: FaultRule): Promise<number>;
  clearFaults(id?: number): Promise<void>;
  seed(fixture: object | string, options?: { projectId?: string }): Promise<{ project_id: string; secrets: number; events: number }>;
  export(options?: { projectId?: string; values?: boolean }): Promise<any>;
  newProjectId(): string;
  stop(options?: { timeoutMs?: number }): Promise<number | string | null>;
}
