import pg from 'pg';

/** One query on its own connection, for suites that look into a radar process's PostgreSQL from outside. */
export async function queryPostgres<T extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
