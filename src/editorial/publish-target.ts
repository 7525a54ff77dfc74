import { ConflictError, UsageError } from '../lib/errors.js';

/**
 * Which repository a publish writes to, decided before any request to GitHub. Pure: no I/O.
 *
 * radar writes with its own token, which can often write to far more repositories than the
 * digest's: the config lists where it may publish (digest.publish.repos, or just
 * digest.publish.repo), and nothing an editor sends (--repo, the API's `repo`, the publish
 * dialog) can name another. An issue published once stays where it was published: every later
 * publish updates that GitHub issue, and naming another repository is refused rather than
 * leaving the first issue behind and starting a second one.
 */

export interface TargetQuestion {
  volume: number;
  /** The repository asked for (`--repo`, the API's `repo`), as given; undefined when not given. */
  requested: string | undefined;
  /** How the request names it in messages: `--repo`, `body.repo`. */
  field: string;
  /** Where the issue was published, if it was. */
  published: { repo: string; number: number | null } | null;
  /** digest.publish of the config. */
  allowed: readonly string[];
  defaultRepo: string | null;
  /** The config file, as messages show it. */
  configFile: string;
  /**
   * Asked from radar's command line, by someone who holds its token anyway. With a config
   * that lists no repository at all, an explicit --repo is taken there (the allowlist guards
   * what the web UI and the API can steer radar's token to, and they always need it).
   */
  commandLine?: boolean;
}

const OWNER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

/** The repository to publish to, spelt as the config lists it; throws a UsageError or ConflictError saying why not. */
export function publishTarget(question: TargetQuestion): string {
  const { volume, requested, field, published, allowed, configFile } = question;
  const listed = (repo: string) => allowed.find((r) => r.toLowerCase() === repo.toLowerCase());
  const where = `digest.publish.repos in ${configFile}`;
  const unlisted = allowed.length === 0 && question.commandLine === true;
  if (requested !== undefined && !OWNER_NAME.test(requested))
    throw new UsageError(`${field}: ${JSON.stringify(requested)} is not owner/name`);

  if (published) {
    const issue = `issue ${volume} was published to ${published.repo}${published.number ? ` (#${published.number})` : ''}`;
    if (requested !== undefined && requested.toLowerCase() !== published.repo.toLowerCase())
      throw new ConflictError(
        `${issue}: every publish updates that GitHub issue, and none is started in ${requested}; leave ${field} out`,
      );
    const repo = listed(published.repo) ?? (unlisted ? published.repo : undefined);
    if (!repo)
      throw new UsageError(
        `${issue}, which ${where} does not list (any more): radar does not write there; list it again to update that issue`,
      );
    return repo;
  }

  if (unlisted && requested !== undefined) return requested;
  if (unlisted)
    throw new UsageError(
      `issue ${volume}: --repo owner/name is needed (or set digest.publish.repo in ${configFile}, where the web UI and the API need it)`,
    );
  if (allowed.length === 0)
    throw new UsageError(
      `issue ${volume} cannot be published: the config names no repository radar may publish to (set digest.publish.repo, or digest.publish.repos, in ${configFile})`,
    );
  const target = requested ?? question.defaultRepo;
  if (target === null)
    throw new UsageError(`issue ${volume}: ${field} owner/name is needed, one of ${allowed.join(', ')} (${where})`);
  const repo = listed(target);
  if (!repo)
    throw new UsageError(
      `${field}: ${JSON.stringify(target)} is not a repository radar may publish to (${where}: ${allowed.join(', ')})`,
    );
  return repo;
}
