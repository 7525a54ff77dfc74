import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../lib/errors.js';
import type { CliContext } from './context.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** One `radar` command: its usage text, its flags, and what it does. */
export interface Command<O extends Options = Options> {
  name: string;
  summary: string;
  /** Usage lines after "radar", e.g. `poll [--repo o/r] [--since ISO]`. */
  usage: string;
  /** Longer help: flags and examples. */
  help: string;
  options: O;
  /**
   * Whether the command opens the database. 'shared': it can run inside the `radar serve` that
   * holds the embedded database (the CLI bridge); 'own': it needs the database to itself
   * (serve, worker). Absent: it never opens it.
   */
  database?: 'shared' | 'own';
  /** Positionals the command takes (for the usage check); undefined = any. */
  positionals?: { min: number; max: number };
  run(ctx: CliContext, args: ParsedArgs<O>): Promise<number | undefined>;
}

export interface ParsedArgs<O extends Options> {
  values: { [K in keyof O]?: O[K] extends { type: 'boolean' } ? boolean : O[K] extends { multiple: true } ? string[] : string };
  positionals: string[];
}

export function defineCommand<O extends Options>(command: Command<O>): Command<O> {
  return command;
}

/** Parses a command's arguments; a bad flag is a UsageError that shows the command's usage. */
export function parseCommandArgs<O extends Options>(command: Command<O>, argv: string[]): ParsedArgs<O> {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message.replace(/^Unknown option '(.*)'.*$/s, "unknown option '$1'");
    throw new UsageError(`radar ${command.name}: ${message}\nusage: radar ${command.usage}`);
  }
  const { min, max } = command.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    const extra = parsed.positionals.length > max ? `unexpected argument "${parsed.positionals[max]}"` : 'missing argument';
    throw new UsageError(`radar ${command.name}: ${extra}\nusage: radar ${command.usage}`);
  }
  return parsed as ParsedArgs<O>;
}

/** The largest id, volume or count radar stores (a PostgreSQL integer). */
const MAX_INTEGER = 2_147_483_647;

/** Parses a positive integer flag, naming the flag in the error. */
export function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_INTEGER)
    throw new UsageError(`${flag}: "${value}" is not a whole number from 1 to ${MAX_INTEGER}`);
  return Number(value);
}
