// The checks made before a run starts (CLI, app and `fleetsim preflight`): will the machine
// hold this fleet? Each check says what was found and, when something is wrong, the fix.

export type PreflightTopic = 'addresses' | 'ports' | 'files' | 'memory' | 'kernel' | 'target' | 'cpu';

export interface PreflightCheck {
  level: 'ok' | 'warn' | 'error';
  topic: PreflightTopic;
  message: string;
  /** What to change, where something is wrong. */
  fix?: string;
}

export interface PreflightReport {
  /** False when any check is an error: the run would not hold, so it is refused. */
  ok: boolean;
  checks: PreflightCheck[];
  /** The plan the checks were made for. */
  hosts: number;
  devices: number;
  /** Estimated resident memory of the generator (and the embedded target), bytes. */
  memoryEstimateBytes: number;
}

export type PreflightResult = { ok: true; report: PreflightReport } | { ok: false; problems: string[] };
