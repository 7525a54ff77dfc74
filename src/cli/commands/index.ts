import type { Command } from '../command.js';
import { tokensCommand, usersCommand } from './accounts.js';
import { budgetCommand } from './budget.js';
import { candidatesCommand } from './candidates.js';
import { coverageCommand } from './coverage.js';
import { dismissCommand, promoteCommand, restoreCommand, snoozeCommand } from './decisions.js';
import { entryCommand } from './entry.js';
import { issueCommand } from './issue.js';
import { migrateCommand } from './migrate.js';
import { backfillCommand, pollCommand } from './poll.js';
import { reposCommand } from './repos.js';
import { rescoreCommand } from './rescore.js';
import { runsCommand } from './runs.js';
import { serveCommand, workerCommand } from './serve.js';
import { tuneCommand } from './tune.js';

export const commands: Command[] = [
  serveCommand,
  workerCommand,
  pollCommand,
  backfillCommand,
  candidatesCommand,
  coverageCommand,
  issueCommand,
  promoteCommand,
  dismissCommand,
  snoozeCommand,
  restoreCommand,
  entryCommand,
  reposCommand,
  usersCommand,
  tokensCommand,
  rescoreCommand,
  tuneCommand,
  runsCommand,
  budgetCommand,
  migrateCommand,
] as unknown as Command[];
