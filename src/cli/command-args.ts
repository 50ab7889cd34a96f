// One way for every fleetsim command to read its flags, so they all behave alike:
// --help/-h prints that command's usage on stdout (exit 0); an unknown or malformed flag is
// named with the command it was given to, followed by the usage on stderr (exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

type Config<O extends ParseArgsOptionsConfig> = { args: string[]; options: O & typeof HELP; allowPositionals: true; strict: true };
export type CommandArgs<O extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<Config<O>>>;

export interface CommandSpec {
  /** As typed after `fleetsim`, e.g. "runs merge". */
  command: string;
  usage: string;
  /** false: the command takes no positional arguments. */
  positionals?: boolean;
}

/** The parsed flags, or the exit code when the command is done (help shown, or bad input reported). */
export function parseCommandArgs<const O extends ParseArgsOptionsConfig>(spec: CommandSpec, args: string[], options: O): CommandArgs<O> | number {
  let parsed: CommandArgs<O>;
  try {
    parsed = parseArgs<Config<O>>({ args, options: { ...options, ...HELP }, allowPositionals: true, strict: true });
  } catch (err) {
    // `--help` wins over a bad neighbour: someone asking how to use a command should be told.
    if (asksForHelp(args)) return showUsage(spec.usage);
    return usageError(spec, describeParseError(err, spec.command), { named: isUnknownOption(err) });
  }
  if ((parsed.values as { help?: boolean }).help) return showUsage(spec.usage);
  if (spec.positionals === false && parsed.positionals.length > 0) {
    return usageError(spec, `unexpected argument ${JSON.stringify(parsed.positionals[0])} (it takes only flags)`);
  }
  return parsed;
}

export function showUsage(usage: string): number {
  console.log(usage);
  return 0;
}

/** Reports bad input on stderr, the usage after it; returns the exit code for it. */
export function usageError(spec: CommandSpec, message: string, { named = false } = {}): number {
  // A message that already names the command ("unknown option --x for fleetsim run") needs no prefix.
  console.error(`${named ? '' : `fleetsim ${spec.command}: `}${message}\n${spec.usage}`);
  return 2;
}

export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

const UNKNOWN_OPTION = /^Unknown option '([^']+)'/;

function isUnknownOption(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && UNKNOWN_OPTION.test((err as Error).message);
}

function describeParseError(err: unknown, command: string): string {
  const message = err instanceof Error ? err.message : String(err);
  if (isUnknownOption(err)) return `unknown option ${UNKNOWN_OPTION.exec(message)![1]} for fleetsim ${command}`;
  return message;
}
