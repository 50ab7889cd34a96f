// A fleet run with its recorder wired in: the recorder is made first (hosts need the run
// directory at launch), then the controller, then the recorder listens to it.
import type { Scenario } from '../contract/scenario.ts';
import { FleetController, type ControllerOptions } from './controller.ts';
import { RunRecorder } from './run-recorder.ts';

export interface RecordOptions {
  runsDir: string;
  eventLogMaxBytes?: number;
  /** The scenario as written (see RunRecorder). */
  source?: object;
}

export function createRun(scenario: Scenario, options: Omit<ControllerOptions, 'record'> & { record?: RecordOptions | null } = {}): { controller: FleetController; recorder: RunRecorder | null } {
  const { record, ...controllerOptions } = options;
  const recorder = record ? new RunRecorder(record.runsDir, scenario, { eventLogMaxBytes: record.eventLogMaxBytes, source: record.source, distributed: options.distributed }) : null;
  const controller = new FleetController(scenario, { ...controllerOptions, record: recorder?.hostRecord });
  recorder?.attach(controller);
  return { controller, recorder };
}
