// fleetsim: the command-line entry.
import { PRESET_DESCRIPTIONS } from '../contract/presets.ts';
import { loadScenario, ScenarioError } from '../fleet/scenario-loader.ts';
import { capacityCommand } from './capacity-command.ts';
import { certsCommand } from './certs-command.ts';
import { RUN_USAGE, runCommand } from './run-command.ts';
import { preflightCommand } from './preflight-command.ts';
import { planCommand } from './plan-command.ts';
import { k8sCommand } from './k8s-command.ts';
import { reportCommand } from './report-command.ts';
import { compareCommand } from './compare-command.ts';
import { exportCommand, importCommand, runsCommand } from './runs-commands.ts';
import { serveCommand } from './serve-command.ts';
import { runTargetCommand } from './target-command.ts';
import { parseCommandArgs, showUsage } from './command-args.ts';
import packageJson from '../../package.json' with { type: 'json' };

const USAGE = `fleetsim — simulate fleets of IoT devices over long-lived MQTT and WebSocket connections

  fleetsim --version | -V                                     print the version
  fleetsim <command> --help | -h                              a command's usage

  fleetsim run [scenario|preset] [--duration 30s] [--json]   run a fleet (default: the demo)
  fleetsim capacity <scenario> [--step 10%|N] [--hold 60s] [--until N|30m] [--json]  find the knee: how many devices hold, who gives out
  fleetsim target [--mqtt-port N] [--ws-port N] [--rooms-port N]  run the embedded target alone
  fleetsim serve [--port 7420] [--attach URL --run-id R]      the UI in a browser (127.0.0.1, token in the URL); attached to a distributed run
  fleetsim validate <scenario>                                check a scenario file
  fleetsim preflight [scenario]                               will this machine hold the fleet? (ports, files, memory, kernel)
  fleetsim plan --devices N --protocol mqtt|mqtt-tls|mqtt-mtls|ws [scenario]  shards, pods and target side for a fleet past one machine
  fleetsim k8s <scenario> --shards N [--image I] [--namespace NS]  Kubernetes manifests: one run over N pods (Indexed Job)
  fleetsim certs init|issue|show [dir]                        the built-in test PKI (CA, server and device certificates)
  fleetsim presets                                            list the built-in scenarios
  fleetsim runs                                               list recorded runs
  fleetsim runs merge <run…> [--name NAME]                    one run from the records of a distributed run's shards
  fleetsim report <run>                                       write the run's report.html again (one self-contained page)
  fleetsim compare <run> <run> [more…] [--json] [--out f.html]  headline figures side by side, differences, compare.html with overlaid timelines
  fleetsim export <run> [file.zip]                            pack a recorded run into one .zip to share
  fleetsim import <file.zip>                                  unpack a shared run into the runs directory

${RUN_USAGE}`;

const VALIDATE_USAGE = `usage: fleetsim validate <scenario.yaml|scenario.json|preset>
  checks a scenario file (or a preset) and says what is wrong with it, field by field.
  Editors validate and complete scenarios with schema/scenario.schema.json (see examples/).`;
const PRESETS_USAGE = 'usage: fleetsim presets\n  lists the built-in scenarios; any of them can stand for a scenario file (fleetsim run demo).';

async function validateCommand(args: string[]): Promise<number> {
  const spec = { command: 'validate', usage: VALIDATE_USAGE };
  const parsed = parseCommandArgs(spec, args, {});
  if (typeof parsed === 'number') return parsed;
  if (parsed.positionals.length !== 1) {
    console.error(VALIDATE_USAGE);
    return 2;
  }
  const [file] = parsed.positionals;
  try {
    const s = await loadScenario(file);
    console.log(`${file}: valid: ${s.groups.length} group(s), ${s.groups.reduce((n, g) => n + g.count, 0)} devices`);
    return 0;
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    console.error(`${err.source} is not a valid scenario:`);
    for (const p of err.problems) console.error(`  ${p}`);
    return 2;
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest);
    case undefined:
      console.log(USAGE);
      return 0;
    case 'capacity':
      return capacityCommand(rest);
    case 'target':
      return runTargetCommand(rest);
    case 'serve':
      return serveCommand(rest);
    case 'validate':
      return validateCommand(rest);
    case 'preflight':
      return preflightCommand(rest);
    case 'plan':
      return planCommand(rest);
    case 'k8s':
      return k8sCommand(rest);
    case 'certs':
      return certsCommand(rest);
    case 'runs':
      return runsCommand(rest);
    case 'report':
      return reportCommand(rest);
    case 'compare':
      return compareCommand(rest);
    case 'export':
      return exportCommand(rest);
    case 'import':
      return importCommand(rest);
    case 'presets': {
      const parsed = parseCommandArgs({ command: 'presets', usage: PRESETS_USAGE, positionals: false }, rest, {});
      if (typeof parsed === 'number') return parsed;
      for (const [name, text] of Object.entries(PRESET_DESCRIPTIONS)) console.log(`${name.padEnd(14)} ${text}`);
      return 0;
    }
    case 'help':
    case '--help':
    case '-h':
      return showUsage(USAGE);
    case '--version':
    case '-V':
      console.log(packageJson.version);
      return 0;
    default:
      if (command.startsWith('-')) {
        console.error(`unknown option ${command} for fleetsim\n\n${USAGE}`);
        return 2;
      }
      console.error(`fleetsim: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`fleetsim: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exitCode = 1;
  },
);
