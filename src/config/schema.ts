import { validateDetailed } from 'node-cron';
import { z } from 'zod';
import { ROLES } from '../domain/access.js';
import { LANGUAGES } from '../domain/digest.js';
import { SOURCE_NAMES } from '../domain/source.js';
import { PASSWORD_HASH, TOKEN_HASH } from '../lib/secrets.js';
import { CONVENTION_NAMES } from '../scoring/conventions.js';
import { SIGNAL_NAMES } from '../scoring/signals.js';
import { DEFAULT_BOTS, TOPIC_NAMES } from '../scoring/topics.js';
import { normaliseWord } from '../scoring/words.js';

/**
 * The shape of config/radar.yaml. Every message names what was expected, because the loader
 * prefixes it with the file and the path inside it.
 */

const OWNER_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

const repoName = z.string({ error: 'expected a repository as owner/name' }).regex(OWNER_NAME, {
  error: (issue) => `${JSON.stringify(issue.input)} is not owner/name`,
});

const sourceName = z.enum(SOURCE_NAMES, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a source (expected one of ${SOURCE_NAMES.join(', ')})`,
});

export const cronExpression = z.string({ error: 'expected a cron expression in quotes' }).superRefine((value, ctx) => {
  const result = validateDetailed(value);
  if (!result.valid) {
    const why = result.errors.map((e) => e.message).join('; ');
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is not a valid cron expression (${why})` });
  }
});

const scheduleSchema = z.strictObject({
  pulls: cronExpression.optional(),
  keps: cronExpression.optional(),
  releases: cronExpression.optional(),
  issues: cronExpression.optional(),
  coverage: cronExpression.optional(),
});

/** Weight overrides by signal name; an unknown name is an error that suggests the closest one. */
const weightsSchema = z.record(z.string(), z.number({ error: 'expected a number' })).superRefine((weights, ctx) => {
  for (const name of Object.keys(weights)) {
    if ((SIGNAL_NAMES as readonly string[]).includes(name)) continue;
    const near = closest(name, SIGNAL_NAMES);
    ctx.addIssue({
      code: 'custom',
      path: [name],
      message: `unknown signal ${JSON.stringify(name)}${near ? ` (did you mean ${JSON.stringify(near)}?)` : ''}`,
    });
  }
});

/** The largest word weight a config may set (`radar tune` writes at most 1.5). */
export const MAX_WORD_WEIGHT = 10;

/**
 * Word weights (`radar tune --write` learns them): each key must be a word as radar reads it from
 * a text (lowercase, normalised, not a stop word), or it could never match anything.
 */
const wordsSchema = z
  .record(
    z.string(),
    z
      .number({ error: 'expected a number' })
      .min(-MAX_WORD_WEIGHT, { error: `expected a weight from -${MAX_WORD_WEIGHT} to ${MAX_WORD_WEIGHT}` })
      .max(MAX_WORD_WEIGHT, { error: `expected a weight from -${MAX_WORD_WEIGHT} to ${MAX_WORD_WEIGHT}` }),
  )
  .superRefine((words, ctx) => {
    for (const word of Object.keys(words)) {
      const normal = normaliseWord(word);
      if (normal === word) continue;
      ctx.addIssue({
        code: 'custom',
        path: [word],
        message:
          normal === null
            ? `${JSON.stringify(word)} is not a word radar weighs (a stop word, a number or version, or not a word)`
            : `${JSON.stringify(word)} is not a word as radar reads it (did you mean ${JSON.stringify(normal)}?)`,
      });
    }
  });

const conventionsSchema = z.enum(CONVENTION_NAMES as [string, ...string[]], {
  error: (issue) => `${JSON.stringify(issue.input)} is not a convention (expected one of ${CONVENTION_NAMES.join(', ')})`,
});

const regexList = z.array(
  z.string().superRefine((source, ctx) => {
    try {
      new RegExp(source, 'i');
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(source)} is not a valid regular expression (${(error as Error).message})`,
      });
    }
  }),
);

const scoringSchema = z.strictObject({
  /** Overrides of the default weights, for every repo. */
  weights: weightsSchema.default({}),
  /** Weights of words in titles, release notes and the start of bodies (learnt by radar tune). */
  words: wordsSchema.default({}),
  /** Written by `radar tune --write`: the last decision the weights above have learnt from. */
  tuned: z.strictObject({ through: z.number().int().min(0) }).optional(),
  /** Keyword lists (regular expressions) replacing the default ones, per topic. */
  topics: z
    .partialRecord(
      z.enum(TOPIC_NAMES, {
        error: (issue) => `unknown topic ${JSON.stringify(issue.input)} (expected one of ${TOPIC_NAMES.join(', ')})`,
      }),
      regexList,
    )
    .default({}),
  /** Logins of bots, whose changes score down. */
  bots: z.array(z.string().min(1)).default([...DEFAULT_BOTS]),
  /** Weeks before a period whose unfeatured, undismissed items stay candidates (decaying). */
  carryOverWeeks: z.number().int().min(0).max(12).default(4),
  /** Items shown per project in the candidate list's per-project view. */
  perProject: z.number().int().min(1).max(100).default(10),
  /** The best story of each kind (KEP, release, design issue) is kept within the first `within` of its project. */
  variety: z
    .strictObject({
      within: z.number().int().min(0).max(100).default(5),
      minScore: z.number().default(5),
      penalty: z.number().min(0).default(1.5),
    })
    .default({ within: 5, minScore: 5, penalty: 1.5 }),
});

/** A text in every digest language: one string for all, or one per language. */
const localized = z.union([
  z
    .string()
    .min(1)
    .transform((text) => ({ 'zh-CN': text, en: text })),
  z.strictObject({
    'zh-CN': z.string().min(1, { error: 'expected a zh-CN text' }),
    en: z.string().min(1, { error: 'expected an en text' }),
  }),
]);

const digestSchema = z
  .strictObject({
    /** Default rendering language. */
    language: z
      .enum(LANGUAGES, {
        error: (issue) => `${JSON.stringify(issue.input)} is not a language (expected one of ${LANGUAGES.join(', ')})`,
      })
      .default('zh-CN'),
    /** Issue title; {volume} is replaced by the volume number. */
    title: localized.default({ 'zh-CN': '云原生周报 Vol. {volume}', en: 'Cloud-native weekly Vol. {volume}' }),
    sections: z
      .array(
        z.strictObject({
          id: z.string().regex(/^[a-z][a-z0-9-]*$/, {
            error: (issue) => `${JSON.stringify(issue.input)} is not a section id (lowercase letters, digits and dashes)`,
          }),
          title: localized,
          /** One subsection per watched project, in config order (the upstream-progress section). */
          projects: z.boolean().default(false),
        }),
      )
      .min(1)
      .default([
        { id: 'news', title: { 'zh-CN': '业界要闻', en: 'Industry news' }, projects: false },
        { id: 'upstream', title: { 'zh-CN': '上游重要进展', en: 'Important upstream progress' }, projects: true },
        { id: 'projects', title: { 'zh-CN': '开源项目推荐', en: 'Open-source project picks' }, projects: false },
        { id: 'reading', title: { 'zh-CN': '本周阅读推荐', en: 'Reading picks' }, projects: false },
      ]),
    /** Title of a project's subsection; {project} is replaced by the project name. */
    projectTitle: localized.default({ 'zh-CN': '{project} 项目', en: '{project}' }),
    publish: z
      .strictObject({
        /** Where `radar issue publish` creates the GitHub issue when --repo is not given. */
        repo: repoName.optional(),
        /**
         * Every repository radar may publish to (with its token); `repo` must be one of them.
         * Without it, just `repo`; without either, publishing is refused.
         */
        repos: z.array(repoName).min(1, { error: 'expected at least one repository (or leave repos out)' }).optional(),
        labels: z.array(z.string().min(1)).default([]),
      })
      .default({ labels: [] }),
  })
  .superRefine((digest, ctx) => {
    const ids = digest.sections.map((s) => s.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i)
        ctx.addIssue({ code: 'custom', path: ['sections', i, 'id'], message: `duplicate section id ${JSON.stringify(id)}` });
    });
    const allowed = (digest.publish.repos ?? []).map((r) => r.toLowerCase());
    allowed.forEach((repo, i) => {
      const first = allowed.indexOf(repo);
      if (first !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['publish', 'repos', i],
          message: `duplicate repo ${JSON.stringify(digest.publish.repos?.[i])} (already at digest.publish.repos[${first}])`,
        });
    });
    const target = digest.publish.repo;
    if (target && digest.publish.repos && !allowed.includes(target.toLowerCase())) {
      ctx.addIssue({
        code: 'custom',
        path: ['publish', 'repo'],
        message: `${JSON.stringify(target)} is not in digest.publish.repos: list it there too, or leave repo out`,
      });
    }
    if (digest.sections.filter((s) => s.projects).length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['sections'],
        message: 'only one section can hold the per-project subsections (projects: true)',
      });
    }
  });

/** A user or token name: what decisions record as the editor. */
const accountName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not a name (letters, digits, ".", "_", "@", "-"; up to 64, starting with a letter or digit)`,
});
const role = z.enum(ROLES, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a role (expected one of ${ROLES.join(', ')})`,
});

/** Who may sign in to the web UI and the JSON API, and with what role. */
const accessSchema = z
  .strictObject({
    users: z
      .array(
        z.strictObject({
          name: accountName,
          role,
          /** scrypt hash, written by `radar users add`. */
          password: z.string().regex(PASSWORD_HASH, { error: 'expected a scrypt hash written by `radar users add`' }),
        }),
      )
      .default([]),
    tokens: z
      .array(
        z.strictObject({
          name: accountName,
          role,
          /** SHA-256 of the token, written by `radar tokens add` (the token itself is shown once). */
          hash: z.string().regex(TOKEN_HASH, { error: 'expected a sha256:... digest written by `radar tokens add`' }),
        }),
      )
      .default([]),
  })
  .superRefine((access, ctx) => {
    for (const list of ['users', 'tokens'] as const) {
      const names = access[list].map((a) => a.name.toLowerCase());
      names.forEach((name, i) => {
        if (names.indexOf(name) !== i)
          ctx.addIssue({
            code: 'custom',
            path: [list, i, 'name'],
            message: `duplicate name ${JSON.stringify(access[list][i]?.name)}`,
          });
      });
    }
  });

const repoSchema = z.strictObject({
  repo: repoName,
  sources: z
    .array(sourceName)
    .min(1, { error: 'expected at least one source' })
    .refine((list) => new Set(list).size === list.length, { error: 'lists a source twice' }),
  /** Per-repo schedule overrides, e.g. a busy repo polled more often. */
  schedule: scheduleSchema.optional(),
  /** How this repo labels things, when it differs from its project. */
  conventions: conventionsSchema.optional(),
  /** Weight overrides for this repo only. */
  weights: weightsSchema.optional(),
});

const projectSchema = z.strictObject({
  name: z.string({ error: 'expected a project name' }).trim().min(1, { error: 'expected a non-empty project name' }),
  /** How the project labels things (kubernetes, knative, envoy, containerd, default). */
  conventions: conventionsSchema.optional(),
  /** Weight overrides for this project's repos. */
  weights: weightsSchema.optional(),
  /** Title of the project's digest subsection, instead of digest.projectTitle. */
  digestTitle: localized.optional(),
  repos: z.array(repoSchema).min(1, { error: 'expected at least one repo' }),
});

const githubSchema = z.strictObject({
  /** Repo+source polls in flight at once. */
  concurrency: z.number().int().min(1).max(32).default(4),
  /** Items per REST list page (GitHub's maximum is 100). */
  pageSize: z.number().int().min(1).max(100).default(100),
  /** Per-request timeout in milliseconds. */
  requestTimeoutMs: z.number().int().min(1000).max(600_000).default(30_000),
  /**
   * Requests (and GraphQL points) per credential that scheduled jobs leave to people: when every
   * credential has this little left, jobs wait for the reset and a publish still goes through.
   */
  budgetReserve: z.number().int().min(0).max(5000).default(100),
});

export const DEFAULT_SCHEDULE = {
  pulls: '*/30 * * * *',
  issues: '10 * * * *',
  releases: '20 * * * *',
  keps: '40 */2 * * *',
  coverage: '30 3 * * *',
} as const;

export const configSchema = z
  .strictObject({
    github: githubSchema.default({ concurrency: 4, pageSize: 100, requestTimeoutMs: 30_000, budgetReserve: 100 }),
    schedule: scheduleSchema.default({}),
    scoring: scoringSchema.default({
      weights: {},
      words: {},
      topics: {},
      bots: [...DEFAULT_BOTS],
      carryOverWeeks: 4,
      perProject: 10,
      variety: { within: 5, minScore: 5, penalty: 1.5 },
    }),
    digest: digestSchema.default(digestSchema.parse({})),
    access: accessSchema.default({ users: [], tokens: [] }),
    projects: z.array(projectSchema).min(1, { error: 'expected at least one project' }),
  })
  .superRefine((config, ctx) => {
    const seenRepos = new Map<string, string>();
    const seenProjects = new Map<string, number>();
    config.projects.forEach((project, p) => {
      const projectKey = project.name.toLowerCase();
      if (seenProjects.has(projectKey)) {
        ctx.addIssue({
          code: 'custom',
          path: ['projects', p, 'name'],
          message: `project ${JSON.stringify(project.name)} is already defined at projects[${seenProjects.get(projectKey)}]`,
        });
      }
      seenProjects.set(projectKey, p);
      project.repos.forEach((repo, r) => {
        const key = repo.repo.toLowerCase();
        const where = `projects[${p}].repos[${r}]`;
        const first = seenRepos.get(key);
        if (first) {
          ctx.addIssue({
            code: 'custom',
            path: ['projects', p, 'repos', r, 'repo'],
            message: `duplicate repo ${JSON.stringify(repo.repo)} (already watched at ${first})`,
          });
        } else {
          seenRepos.set(key, where);
        }
      });
    });
  });

/** The candidate within two edits of `name`, if any (for "did you mean"). */
function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
