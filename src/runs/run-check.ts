// Does a run directory's JSON say what a reader expects? run.json, scenario.json and summary.json
// are checked for the fields the list, the run view and the report read, so a malformed run (an
// imported zip, a hand edit) is named as broken instead of throwing in every reader.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_FILES } from './run-layout.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Problems with run.json's content ("run.json: …"); empty when it is a run record. */
export function recordProblems(record: unknown): string[] {
  if (!isObject(record)) return [`${RUN_FILES.record}: expected a run record (an object)`];
  const p: string[] = [];
  if (record.status !== 'complete' && record.status !== 'incomplete') p.push(`${RUN_FILES.record}: status: expected "complete" or "incomplete"`);
  if (typeof record.startedAt !== 'string' || Number.isNaN(Date.parse(record.startedAt))) p.push(`${RUN_FILES.record}: startedAt: expected a date`);
  if (record.endedAt !== undefined && (typeof record.endedAt !== 'string' || Number.isNaN(Date.parse(record.endedAt)))) p.push(`${RUN_FILES.record}: endedAt: expected a date`);
  if (!isCount(record.pid)) p.push(`${RUN_FILES.record}: pid: expected a process id`);
  if (record.reason !== undefined && typeof record.reason !== 'string') p.push(`${RUN_FILES.record}: reason: expected text`);
  if (record.hosts !== undefined && !isCount(record.hosts)) p.push(`${RUN_FILES.record}: hosts: expected a number of hosts`);
  return p;
}

/** Problems with scenario.json's content (the scenario as run). */
export function scenarioProblems(scenario: unknown): string[] {
  const f = RUN_FILES.scenario;
  if (!isObject(scenario)) return [`${f}: expected a scenario (an object)`];
  const p: string[] = [];
  if (typeof scenario.name !== 'string') p.push(`${f}: name: expected text`);
  if (typeof scenario.target !== 'string') p.push(`${f}: target: expected text`);
  if (scenario.duration !== null && typeof scenario.duration !== 'number') p.push(`${f}: duration: expected milliseconds or null`);
  if (scenario.hosts !== 'auto' && !isCount(scenario.hosts)) p.push(`${f}: hosts: expected a number or "auto"`);
  if (!Array.isArray(scenario.groups) || scenario.groups.length === 0) p.push(`${f}: groups: expected a list of groups`);
  else
    scenario.groups.forEach((g: unknown, i) => {
      if (!isObject(g)) return void p.push(`${f}: groups[${i}]: expected a group (an object)`);
      if (typeof g.name !== 'string') p.push(`${f}: groups[${i}].name: expected text`);
      if (typeof g.protocol !== 'string') p.push(`${f}: groups[${i}].protocol: expected text`);
      if (!isCount(g.count)) p.push(`${f}: groups[${i}].count: expected a number of devices`);
    });
  if (scenario.storms !== undefined && !Array.isArray(scenario.storms)) p.push(`${f}: storms: expected a list`);
  return p;
}

/** Problems with summary.json's content: the fields the list and the report read. */
export function summaryProblems(summary: unknown): string[] {
  const f = RUN_FILES.summary;
  if (!isObject(summary)) return [`${f}: expected a run summary (an object)`];
  const p: string[] = [];
  if (typeof summary.name !== 'string') p.push(`${f}: name: expected text`);
  if (!isCount(summary.devices)) p.push(`${f}: devices: expected a number of devices`);
  if (!isCount(summary.peakOnline)) p.push(`${f}: peakOnline: expected a number of devices`);
  if (!Array.isArray(summary.hosts)) p.push(`${f}: hosts: expected a list`);
  if (summary.groups !== undefined) {
    if (!isObject(summary.groups)) p.push(`${f}: groups: expected each group's figures by group name`);
    else {
      for (const [name, g] of Object.entries(summary.groups)) {
        if (!isObject(g) || !isObject(g.disconnectReasons) || !isObject(g.latency)) p.push(`${f}: groups.${name}: expected the group's figures (disconnectReasons and latency included)`);
      }
    }
  }
  return p;
}

function readJsonFile(file: string): { value: unknown } | { problem: string } | null {
  if (!existsSync(file)) return null;
  try {
    return { value: JSON.parse(readFileSync(file, 'utf8')) as unknown };
  } catch {
    return { problem: `${file.split(/[\\/]/).pop()}: not valid JSON` };
  }
}

/** Everything wrong with the JSON files of run directory `dir`; empty when a reader can use them all. */
export function runDirProblems(dir: string): string[] {
  const problems: string[] = [];
  const check = (name: string, required: boolean, problemsOf: (v: unknown) => string[]) => {
    const r = readJsonFile(join(dir, name));
    if (r === null) {
      if (required) problems.push(`${name}: missing`);
    } else if ('problem' in r) problems.push(r.problem);
    else problems.push(...problemsOf(r.value));
  };
  check(RUN_FILES.record, true, recordProblems);
  check(RUN_FILES.scenario, false, scenarioProblems);
  check(RUN_FILES.summary, false, summaryProblems);
  check(RUN_FILES.scenarioSource, false, () => []);
  return problems;
}
