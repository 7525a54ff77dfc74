import type { GitHub } from '../github/client.js';
import { restRepository } from '../github/payloads.js';
import { getValidators, saveValidators } from '../store/cursors.js';
import type { Db } from '../store/db.js';
import { updateRepoIdentity } from '../store/repos.js';
import type { RepoRow } from '../store/schema.js';

export interface IdentityCheck {
  repo: RepoRow;
  /** Set when GitHub reports the repo under another name (renamed, or moved to another owner). */
  movedFrom: string | null;
}

/**
 * Asks GitHub who a watched repo is now (GET /repos/{o}/{r}, with its ETag: free when nothing
 * changed). A renamed or transferred repo answers 301 to its old name, which fetch follows, and
 * its full_name differs: radar then polls it under its new name and says so, instead of losing it.
 */
export async function checkRepoIdentity(db: Db, github: GitHub, repo: RepoRow): Promise<IdentityCheck> {
  const [owner, name] = repo.full_name.split('/');
  const route = '/repos/{owner}/{repo}';
  const key = `GET /repos/${repo.full_name.toLowerCase()}`;
  const result = await github.getConditional<unknown>(route, { owner, repo: name }, await getValidators(db, key));
  if (!result.modified) return { repo, movedFrom: null };
  const identity = restRepository.parse(result.data);
  const moved = identity.full_name.toLowerCase() !== repo.full_name.toLowerCase();
  const updated = await db.transaction().execute(async (trx) => {
    const row = await updateRepoIdentity(trx, repo.id, {
      fullName: identity.full_name,
      nodeId: identity.node_id ?? null,
      defaultBranch: identity.default_branch ?? null,
    });
    // Keyed by the name asked, so the next poll repeats the same request and gets its 304.
    await saveValidators(trx, key, { repoId: repo.id, source: 'repo' }, { etag: result.etag, lastModified: result.lastModified });
    if (moved)
      await saveValidators(
        trx,
        `GET /repos/${identity.full_name.toLowerCase()}`,
        { repoId: repo.id, source: 'repo' },
        { etag: result.etag, lastModified: result.lastModified },
      );
    return row;
  });
  return { repo: updated, movedFrom: moved ? repo.full_name : null };
}
