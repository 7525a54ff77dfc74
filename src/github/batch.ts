import { z } from 'zod';
import type { GitHub } from './client.js';
import { evenBatches, loadQuery } from './queries.js';

/**
 * GraphQL batch adapters: many pull requests, trees or files per query through aliases, instead
 * of one REST request each. An alias GitHub cannot resolve comes back null (with a NOT_FOUND
 * error); the others are still used.
 */

export interface RepoRef {
  owner: string;
  name: string;
}

const pullDetails = z.looseObject({
  number: z.number().int(),
  state: z.string(),
  merged: z.boolean(),
  mergedAt: z.string().nullable(),
  isDraft: z.boolean().nullable().optional(),
  baseRefName: z.string().nullable().optional(),
  headRefName: z.string().nullable().optional(),
  additions: z.number().int().nullable().optional(),
  deletions: z.number().int().nullable().optional(),
  changedFiles: z.number().int().nullable().optional(),
  mergeCommit: z.looseObject({ oid: z.string() }).nullable().optional(),
  reviews: z.looseObject({ totalCount: z.number().int() }).nullable().optional(),
  files: z
    .looseObject({
      totalCount: z.number().int(),
      nodes: z
        .array(
          z.looseObject({
            path: z.string(),
            additions: z.number().int().nullable().optional(),
            deletions: z.number().int().nullable().optional(),
            changeType: z.string().nullable().optional(),
          }),
        )
        .nullable(),
    })
    .nullable()
    .optional(),
});
export type GraphqlPullDetails = z.infer<typeof pullDetails>;

export interface BatchProblem {
  key: string;
  message: string;
}

/** Details of pull requests by number; numbers GitHub does not know are reported, not thrown. */
export async function fetchPullDetails(
  github: GitHub,
  repo: RepoRef,
  numbers: readonly number[],
): Promise<{ details: Map<number, GraphqlPullDetails>; problems: BatchProblem[] }> {
  const details = new Map<number, GraphqlPullDetails>();
  const problems: BatchProblem[] = [];
  const answers = await aliasedQueries(github, loadQuery('pull-details'), 'PullDetails', repo, [...new Set(numbers)], 'n');
  for (const { key: number, node, error } of answers) {
    const parsed = pullDetails.safeParse(node);
    if (parsed.success) details.set(number, parsed.data);
    else problems.push({ key: `#${number}`, message: error ?? `no details for pull request #${number}` });
  }
  return { details, problems };
}

const entry = z.looseObject({ name: z.string(), type: z.string(), oid: z.string() });
const treeEntries = z.looseObject({
  oid: z.string(),
  entries: z
    .array(
      entry.extend({
        object: z
          .looseObject({ entries: z.array(entry).nullable().optional() })
          .nullable()
          .optional(),
      }),
    )
    .nullable(),
});
export type GraphqlTree = z.infer<typeof treeEntries>;

const blobText = z.looseObject({
  oid: z.string(),
  byteSize: z.number().int().optional(),
  isBinary: z.boolean().nullable().optional(),
  text: z.string().nullable(),
});
export type GraphqlBlob = z.infer<typeof blobText>;

/** Trees by expression ("REV:path"); null where the folder does not exist at that revision. */
export function fetchTrees(github: GitHub, repo: RepoRef, expressions: readonly string[]) {
  return fetchObjects(github, repo, 'tree-entries', 'TreeEntries', treeEntries, expressions);
}

/** File texts by expression ("REV:path"); null where the file does not exist at that revision. */
export function fetchBlobs(github: GitHub, repo: RepoRef, expressions: readonly string[]) {
  return fetchObjects(github, repo, 'blob-texts', 'BlobTexts', blobText, expressions);
}

async function fetchObjects<T>(
  github: GitHub,
  repo: RepoRef,
  file: 'tree-entries' | 'blob-texts',
  operation: string,
  schema: z.ZodType<T>,
  expressions: readonly string[],
): Promise<Map<string, T | null>> {
  const result = new Map<string, T | null>();
  const answers = await aliasedQueries(github, loadQuery(file), operation, repo, [...new Set(expressions)], 'e');
  for (const { key, node } of answers) {
    const parsed = schema.safeParse(node);
    result.set(key, parsed.success ? parsed.data : null);
  }
  return result;
}

/**
 * Sends one aliased document per batch of keys (at most its capacity, evenly split), the
 * batches at once (the gateway's throttling bounds how many are in flight), and returns each
 * key's node with the error GitHub gave for its alias.
 */
async function aliasedQueries<K extends string | number>(
  github: GitHub,
  query: ReturnType<typeof loadQuery>,
  operation: string,
  repo: RepoRef,
  keys: readonly K[],
  variable: 'n' | 'e',
): Promise<Array<{ key: K; node: unknown; error: string | undefined }>> {
  const prefix = query.aliasPrefix;
  const answers = await Promise.all(
    evenBatches(keys, query.capacity).map(async (batch) => {
      const variables: Record<string, unknown> = { owner: repo.owner, name: repo.name };
      batch.forEach((key, i) => {
        variables[`${variable}${i}`] = key;
        variables[`i${i}`] = true;
      });
      const { data, errors } = await github.graphql<{ repository: Record<string, unknown> | null }>(
        operation,
        query.text,
        variables,
      );
      return batch.map((key, i) => ({ key, node: data.repository?.[`${prefix}${i}`], error: errorFor(errors, `${prefix}${i}`) }));
    }),
  );
  return answers.flat();
}

function errorFor(errors: Array<{ message: string; path?: Array<string | number> }>, alias: string): string | undefined {
  return errors.find((e) => e.path?.includes(alias))?.message;
}
