/**
 * The few error types radar throws on purpose. Each names what is wrong and where, so that the
 * three places that catch (the CLI main, the web error handler, the job runner) can print it as
 * is and choose an exit code or HTTP status from its class.
 */

export class RadarError extends Error {
  /** Process exit code when this error ends a CLI command. */
  readonly exitCode: number = 1;
  /** HTTP status when this error ends an API request. */
  readonly httpStatus: number = 500;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The config file or the environment is invalid; nothing may start. */
export class ConfigError extends RadarError {
  override readonly exitCode = 78; // EX_CONFIG
}

/** The command line is wrong (unknown command, bad flag, bad value). */
export class UsageError extends RadarError {
  override readonly exitCode = 64; // EX_USAGE
  override readonly httpStatus = 400;
}

/** Input from a user (CLI value or API body) failed validation. */
export class ValidationError extends RadarError {
  override readonly exitCode = 65; // EX_DATAERR
  override readonly httpStatus = 400;
}

/** Something the user named (an item, an issue, a repo) does not exist. */
export class NotFoundError extends RadarError {
  override readonly exitCode = 66; // EX_NOINPUT
  override readonly httpStatus = 404;
}

/** The request is valid but conflicts with the current state (e.g. editing a published issue). */
export class ConflictError extends RadarError {
  override readonly exitCode = 65;
  override readonly httpStatus = 409;
}

/** The request has no signed-in account (web), or the account is refused. */
export class UnauthorizedError extends RadarError {
  override readonly exitCode = 77; // EX_NOPERM
  override readonly httpStatus = 401;
}

/** The embedded database is held by another radar process. */
export class DatabaseBusyError extends RadarError {
  override readonly exitCode = 75; // EX_TEMPFAIL
  override readonly httpStatus = 503;
}

/** The database server cannot be reached or dropped the connection (restart, failover). */
export class DatabaseUnavailableError extends RadarError {
  override readonly exitCode = 69; // EX_UNAVAILABLE
  override readonly httpStatus = 503;
}

/** Returns a short one-line description of any thrown value, for logs and summaries. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
