import { validateDetailed } from 'node-cron';
import { z } from 'zod';
import { SOURCE_NAMES } from '../domain/source.js';

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

const repoSchema = z.strictObject({
  repo: repoName,
  sources: z
    .array(sourceName)
    .min(1, { error: 'expected at least one source' })
    .refine((list) => new Set(list).size === list.length, { error: 'lists a source twice' }),
  /** Per-repo schedule overrides, e.g. a busy repo polled more often. */
  schedule: scheduleSchema.optional(),
});

const projectSchema = z.strictObject({
  name: z.string({ error: 'expected a project name' }).trim().min(1, { error: 'expected a non-empty project name' }),
  repos: z.array(repoSchema).min(1, { error: 'expected at least one repo' }),
});

const githubSchema = z.strictObject({
  /** Repo+source polls in flight at once. */
  concurrency: z.number().int().min(1).max(32).default(4),
  /** Items per REST list page (GitHub's maximum is 100). */
  pageSize: z.number().int().min(1).max(100).default(100),
  /** Per-request timeout in milliseconds. */
  requestTimeoutMs: z.number().int().min(1000).max(600_000).default(30_000),
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
    github: githubSchema.default({ concurrency: 4, pageSize: 100, requestTimeoutMs: 30_000 }),
    schedule: scheduleSchema.default({}),
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

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
