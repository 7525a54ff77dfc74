import { DatabaseUnavailableError } from '../lib/errors.js';

/**
 * Errors that mean the database server cannot be reached or dropped the connection (a restart,
 * a failover, a network cut), as opposed to a query it refused. The work in hand fails cleanly;
 * the pool connects again for the next query.
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown: "terminating connection due to administrator command"
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '08000', // connection_exception
  '08001',
  '08003',
  '08004',
  '08006',
]);
const CONNECTION_MESSAGES =
  /connection terminated|terminating connection|client has encountered a connection error|timeout exceeded when trying to connect|connection is not open|cannot use a pool after calling end|is not currently accepting connections|the database system is (starting up|shutting down|in recovery mode)/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
  // An AggregateError of connection attempts (IPv4 and IPv6 both refused).
  return Array.isArray(errors) && errors.some(isDatabaseUnavailable);
}

/** The error as a DatabaseUnavailableError with a message for people, when it is one. */
export function asDatabaseUnavailable(error: unknown): DatabaseUnavailableError | undefined {
  if (error instanceof DatabaseUnavailableError) return error;
  if (!isDatabaseUnavailable(error)) return undefined;
  const detail = (error as Error).message || String((error as { code?: unknown }).code ?? 'connection lost');
  return new DatabaseUnavailableError(
    `the database is unavailable (${detail}): check that the server runs and DATABASE_URL; ` +
      'work it interrupted is closed as failed when it answers again',
  );
}
