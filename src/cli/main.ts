import { ConfigError, RadarError, UsageError } from '../lib/errors.js';
import { terminalLines, terminalSafe } from '../lib/terminal.js';
import { asDatabaseUnavailable } from '../store/db-errors.js';
import type { Command } from './command.js';
import { parseCommandArgs } from './command.js';
import type { CliContext } from './context.js';

/**
 * Dispatches `radar <command> ...`: parse, call a use-case, print. This is one of the three
 * places that catch errors: a RadarError is printed as its message with its exit code; anything
 * else is a bug, printed with its stack.
 */
export async function runCommand(
  commands: Command[],
  argv: string[],
  ctx: () => CliContext,
  stderr: { write(t: string): void },
  /** Runs the command elsewhere (the CLI bridge) when it gives a promise; locally otherwise. */
  elsewhere?: (command: Command) => Promise<number> | undefined,
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic ? commands.find((c) => c.name === topic) : undefined;
    stderr.write(command ? commandHelp(command) : overview(commands));
    return topic && !command ? 64 : 0;
  }
  if (name === '--version' || name === '-v') {
    stderr.write('radar 0.1.0\n');
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    stderr.write(`radar: unknown command "${terminalSafe(name)}"\n\n${overview(commands)}`);
    return 64;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    stderr.write(commandHelp(command));
    return 0;
  }
  try {
    const args = parseCommandArgs(command, rest);
    const forwarded = elsewhere?.(command);
    if (forwarded) return await forwarded;
    return (await command.run(ctx(), args)) ?? 0;
  } catch (caught) {
    const error = asDatabaseUnavailable(caught) ?? caught;
    if (error instanceof RadarError) {
      const prefix = error instanceof UsageError || error instanceof ConfigError ? '' : `radar ${command.name}: `;
      // Messages quote what they refuse (a --repo, a title): shown as text, never as controls.
      stderr.write(`${prefix}${terminalLines(error.message)}\n`);
      return error.exitCode;
    }
    stderr.write(`radar ${command.name}: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    return 70; // EX_SOFTWARE
  }
}

function overview(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `radar: tracks upstream changes in cloud-native projects and seeds a weekly digest

usage: radar <command> [options]    (radar help <command> for its options)

${lines.join('\n')}

Environment: DATABASE_URL, RADAR_DATA_DIR, GITHUB_TOKEN, GITHUB_API_URL, RADAR_CONFIG, PORT
(see README.md).
`;
}

function commandHelp(command: Command): string {
  return `usage: radar ${command.usage}\n\n${command.summary}\n\n${command.help}\n`;
}
