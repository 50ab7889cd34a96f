// Which part of a distributed run this process is, from flags and the environment:
// --shard I/N (or FLEETSIM_SHARD), or --shards N with the index Kubernetes gives each pod of an
// Indexed Job (JOB_COMPLETION_INDEX); --run-id (FLEETSIM_RUN_ID); --start-at (FLEETSIM_START_AT).
import { parseShard, RUN_ID_PATTERN, type DistributedRun, type FleetShard } from '../contract/fleet-shard.ts';

export interface ShardFlags {
  shard?: string;
  shards?: string;
  'run-id'?: string;
  'start-at'?: string;
}

/** Start times further out than this are a typo, not a plan. */
const MAX_START_AHEAD_MS = 24 * 3600_000;
/** An ISO 8601 time with its zone, so every machine reads the same instant. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

export type ShardResolution = { ok: true; run: DistributedRun | null } | { ok: false; problems: string[] };

export function resolveDistributedRun(flags: ShardFlags, env: NodeJS.ProcessEnv, scenarioName: string, now = Date.now()): ShardResolution {
  const problems: string[] = [];
  let shard: FleetShard | null = null;
  const shardText = flags.shard ?? env.FLEETSIM_SHARD;
  const from = flags.shard !== undefined ? '--shard' : 'FLEETSIM_SHARD';
  if (shardText !== undefined) {
    const parsed = parseShard(shardText);
    if (typeof parsed === 'string') problems.push(`${from}: ${parsed}`);
    else shard = parsed;
  }
  if (flags.shards !== undefined) {
    const count = /^\d{1,6}$/.test(flags.shards) ? Number(flags.shards) : NaN;
    if (!(count >= 1)) problems.push(`--shards: expected a number of shards ≥ 1, got ${JSON.stringify(flags.shards)}`);
    else if (shard) {
      if (shard.count !== count) problems.push(`--shards ${count} contradicts ${from} ${shardText}`);
    } else {
      const indexText = env.JOB_COMPLETION_INDEX;
      if (indexText === undefined) problems.push('--shards N needs this shard\'s index: JOB_COMPLETION_INDEX (set in each pod of a Kubernetes Indexed Job) or --shard I/N');
      else {
        const parsed = parseShard(`${indexText}/${count}`);
        if (typeof parsed === 'string') problems.push(`JOB_COMPLETION_INDEX=${JSON.stringify(indexText)} with --shards ${count}: ${parsed}`);
        else shard = parsed;
      }
    }
  }

  let startAt: number | undefined;
  const startText = flags['start-at'] ?? env.FLEETSIM_START_AT;
  if (startText !== undefined) {
    const name = flags['start-at'] !== undefined ? '--start-at' : 'FLEETSIM_START_AT';
    const t = ISO_WITH_ZONE.test(startText.trim()) ? Date.parse(startText.trim()) : NaN;
    if (Number.isNaN(t)) problems.push(`${name}: expected an ISO time with its zone, like 2026-12-05T14:00:00Z, got ${JSON.stringify(startText)}`);
    else if (t - now > MAX_START_AHEAD_MS) problems.push(`${name}: ${startText} is more than 24 hours away`);
    else startAt = t;
  }

  let runId = flags['run-id'] ?? env.FLEETSIM_RUN_ID;
  if (runId !== undefined && !RUN_ID_PATTERN.test(runId)) {
    problems.push(`${flags['run-id'] !== undefined ? '--run-id' : 'FLEETSIM_RUN_ID'}: expected letters, digits, ".", "_" or "-" (at most 63, starting with a letter or digit), got ${JSON.stringify(runId)}`);
  }
  if (problems.length > 0) return { ok: false, problems };
  if (!shard && runId === undefined && startAt === undefined) return { ok: true, run: null };
  // Shards started together derive the same id from the scenario and the start time.
  if (runId === undefined && startAt !== undefined) runId = derivedRunId(scenarioName, startAt);
  if (runId === undefined) {
    if (shard && shard.count > 1) return { ok: false, problems: ['--run-id: shards of one fleet need a run id they share (or a shared --start-at, from which one is made)'] };
    runId = derivedRunId(scenarioName, now);
  }
  return { ok: true, run: { runId, shard: shard ?? { index: 0, count: 1 }, ...(startAt !== undefined && { startAt }) } };
}

/** `<name>-20261205T140000Z`: the same on every shard given the same scenario and start time. */
export function derivedRunId(scenarioName: string, at: number): string {
  const name = scenarioName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 40) || 'run';
  return `${name}-${new Date(at).toISOString().replace(/[-:]|\.\d+/g, '')}`;
}
