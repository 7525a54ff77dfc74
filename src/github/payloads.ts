import { z } from 'zod';

/**
 * The parts of GitHub's REST payloads radar reads, validated at the edge. Objects are loose:
 * GitHub adds fields over time, and the whole payload is kept as `raw` anyway.
 */

const user = z.looseObject({ login: z.string(), type: z.string().optional() }).nullable().catch(null);
const label = z.union([z.looseObject({ name: z.string() }), z.string().transform((name) => ({ name }))]);
const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), { error: 'expected an ISO 8601 time' });
/** A field GitHub sends as null or leaves out: read as null either way. */
const orNull = <T extends z.ZodType>(schema: T) =>
  schema
    .nullable()
    .optional()
    .transform((v) => v ?? null);

/** An element of GET /repos/{o}/{r}/issues: an issue, or a pull request seen as an issue. */
export const restIssue = z.looseObject({
  number: z.number().int().positive(),
  title: z.string(),
  body: orNull(z.string()),
  state: z.enum(['open', 'closed']),
  user,
  labels: z.array(label).default([]),
  comments: orNull(z.number().int()),
  created_at: isoTime,
  updated_at: isoTime,
  closed_at: orNull(isoTime),
  html_url: z.string(),
  draft: z.boolean().optional(),
  reactions: z.looseObject({ total_count: z.number().int() }).optional(),
  pull_request: z
    .looseObject({
      html_url: z.string().nullable().optional(),
      merged_at: orNull(isoTime),
    })
    .optional(),
});
export type RestIssue = z.infer<typeof restIssue>;

/** An element of GET /repos/{o}/{r}/pulls (the pull request list shape). */
export const restPull = z.looseObject({
  number: z.number().int().positive(),
  title: z.string(),
  body: orNull(z.string()),
  state: z.enum(['open', 'closed']),
  user,
  labels: z.array(label).default([]),
  created_at: isoTime,
  updated_at: isoTime,
  closed_at: orNull(isoTime),
  merged_at: orNull(isoTime),
  html_url: z.string(),
  draft: z.boolean().optional(),
  base: z.looseObject({ ref: z.string().nullable().optional() }).optional(),
  head: z.looseObject({ ref: z.string().nullable().optional() }).optional(),
});
export type RestPull = z.infer<typeof restPull>;

/** An element of GET /repos/{o}/{r}/releases. */
export const restRelease = z.looseObject({
  id: z.number().int(),
  tag_name: z.string().min(1),
  name: orNull(z.string()),
  body: orNull(z.string()),
  draft: z.boolean().default(false),
  prerelease: z.boolean().default(false),
  created_at: isoTime,
  published_at: orNull(isoTime),
  html_url: z.string(),
  author: user.optional().transform((v) => v ?? null),
});
export type RestRelease = z.infer<typeof restRelease>;

/** GET /repos/{o}/{r}: identity, to follow renames and moves. */
export const restRepository = z.looseObject({
  full_name: z.string(),
  node_id: z.string().optional(),
  default_branch: z.string().optional(),
  html_url: z.string().optional(),
});
export type RestRepository = z.infer<typeof restRepository>;

/** An element of GET /repos/{o}/{r}/commits. */
export const restCommit = z.looseObject({
  sha: z.string().min(7),
  commit: z.looseObject({
    message: z.string(),
    author: z.looseObject({ name: z.string().nullable().optional(), date: isoTime.nullable().optional() }).nullable().optional(),
    committer: z.looseObject({ name: z.string().nullable().optional(), date: isoTime }),
  }),
  html_url: z.string().optional(),
  parents: z.array(z.looseObject({ sha: z.string() })).default([]),
});
export type RestCommit = z.infer<typeof restCommit>;

export interface PayloadProblem {
  index: number;
  message: string;
}

/**
 * Validates each element of a list on its own: a malformed element is reported and skipped,
 * the rest of the page is kept.
 */
export function parseList<T>(schema: z.ZodType<T>, data: unknown, what: string): { items: T[]; problems: PayloadProblem[] } {
  if (!Array.isArray(data)) {
    throw new TypeError(`GitHub returned ${describe(data)} where a list of ${what} was expected`);
  }
  const items: T[] = [];
  const problems: PayloadProblem[] = [];
  data.forEach((element, index) => {
    const result = schema.safeParse(element);
    if (result.success) items.push(result.data);
    else {
      const issue = result.error.issues[0];
      const id = (element as { number?: unknown; tag_name?: unknown; sha?: unknown } | null) ?? {};
      const name = id.number ?? id.tag_name ?? id.sha ?? `#${index}`;
      problems.push({
        index,
        message: `${what} ${String(name)}: ${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}`,
      });
    }
  });
  return { items, problems };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
}
