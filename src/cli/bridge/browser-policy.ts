// What browser mode lets a page do with paths on the serving machine. Choosing a file is the
// UI's job, and in a browser there is no file dialog on this machine, so a page may only:
// - import a run from an existing .zip file (read only; unpacked with caps, see run-archive.ts);
// - keep its runs directory, or choose one inside $FLEETSIM_HOME;
// - create or replace a test PKI inside $FLEETSIM_HOME (the default is $FLEETSIM_HOME/pki).
// Exports always go to $FLEETSIM_HOME/exports (exportRun takes no path). Anything else is
// refused with the field named; the desktop app, with its dialogs, is not limited this way.
import { statSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import type { FleetMethodName } from '../../contract/fleet-api.ts';
import { expandHome, fleetsimHome } from '../../shared/home.ts';

/** `dir` is $FLEETSIM_HOME or below it (after ~ and .. are resolved). */
export function insideFleetsimHome(dir: string): boolean {
  const rel = relative(expandHome(fleetsimHome()), expandHome(dir));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function field(params: unknown[], name: string): unknown {
  const first = params[0];
  return typeof first === 'object' && first !== null && !Array.isArray(first) ? (first as Record<string, unknown>)[name] : undefined;
}

/**
 * Problems with a call from a page in browser mode (already checked for shape by
 * checkParams); empty when the call may go ahead. `currentRunsDir` is the setting now.
 */
export function browserPolicyProblems(method: FleetMethodName, params: unknown[], currentRunsDir: string): string[] {
  const home = fleetsimHome();
  if (method === 'importRun') {
    const file = params[0];
    if (typeof file !== 'string') return [];
    const raw = file.trim();
    if (!(isAbsolute(raw) || raw.startsWith('~/')) || !/\.zip$/i.test(raw)) return ['file: expected the absolute path of an exported run (.zip)'];
    try {
      if (!statSync(expandHome(file.trim())).isFile()) return [`file: ${file.trim()} is not a file`];
    } catch {
      // Missing: the import itself says "no such file".
    }
    return [];
  }
  if (method === 'updateSettings') {
    const runsDir = field(params, 'runsDir');
    if (typeof runsDir !== 'string' || runsDir.trim() === '') return [];
    const same = expandHome(runsDir.trim()) === expandHome(currentRunsDir);
    return same || insideFleetsimHome(runsDir.trim()) ? [] : [`runsDir: in browser mode the runs directory can only be moved inside ${home} (change it in the desktop app or in ${home}/settings.json)`];
  }
  if (method === 'certsInit') {
    const dir = field(params, 'dir');
    if (typeof dir !== 'string' || dir.trim() === '') return [];
    return insideFleetsimHome(dir.trim()) ? [] : [`dir: in browser mode a test PKI can only be created inside ${home} (use "fleetsim certs init DIR" for another directory)`];
  }
  return [];
}
