import { describe, expect, it } from 'vitest';
import { defineCommand } from '../../src/cli/command.js';
import type { CliContext } from '../../src/cli/context.js';
import { runCommand } from '../../src/cli/main.js';
import { DatabaseUnavailableError } from '../../src/lib/errors.js';
import { asDatabaseUnavailable, isDatabaseUnavailable } from '../../src/store/db-errors.js';

describe('a database that went away', () => {
  it('is told from a query the database refused', () => {
    const restart = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    expect(isDatabaseUnavailable(restart)).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('database "radar" is not currently accepting connections'))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(
      true,
    );
    const both = Object.assign(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]), {
      code: undefined,
    });
    expect(isDatabaseUnavailable(both)).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('syntax error at or near "x"'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });

  it('ends a command with exit 69 and one clear line, no stack', async () => {
    const failing = defineCommand({
      name: 'runs',
      summary: 's',
      usage: 'runs',
      help: '',
      options: {},
      database: 'shared',
      run: async () => {
        throw Object.assign(new Error('Connection terminated unexpectedly'), { stack: 'Error: at somewhere' });
      },
    });
    let stderr = '';
    const code = await runCommand([failing], ['runs'], () => ({}) as CliContext, { write: (t) => (stderr += t) });
    expect(code).toBe(69);
    expect(stderr).toBe(
      'radar runs: the database is unavailable (Connection terminated unexpectedly): check that the server runs and ' +
        'DATABASE_URL; work it interrupted is closed as failed when it answers again\n',
    );
    expect(asDatabaseUnavailable(new DatabaseUnavailableError('x'))?.message).toBe('x');
  });
});
