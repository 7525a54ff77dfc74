import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { type Document, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../lib/errors.js';
import { defaultWeights, type Weights } from '../scoring/signals.js';
import { DEFAULT_TOPICS, TOPIC_NAMES, type TopicName } from '../scoring/topics.js';
import type { Config, ProjectConfig, ScheduleKey, WatchedRepo } from './config.js';
import { configSchema, DEFAULT_SCHEDULE, type ParsedConfig } from './schema.js';

/** Reads and validates a config file; throws ConfigError listing every problem found. */
export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError(`${displayPath(file)}: ${reason} (set RADAR_CONFIG to choose another file)`, { cause: error });
  }
  return parseConfig(text, file);
}

/** A config path as a user would type it: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** Validates config text; `file` is only used in messages. */
export function parseConfig(text: string, file: string): Config {
  const shown = displayPath(file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const at = e.linePos?.[0];
      return `${shown}${at ? `:${at.line}:${at.col}` : ''}: YAML syntax error: ${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`;
    });
    throw new ConfigError(problems.join('\n'));
  }
  const result = configSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => describeIssue(issue, doc, lines, shown)).join('\n'));
  }
  return freeze(result.data, file);
}

/** `config/radar.yaml: projects[1].repos[0].repo: "knative" is not owner/name (line 14)` */
function describeIssue(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter, file: string): string {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  }
  const location = path.length > 0 ? `${formatPath(path)}: ` : '';
  const line = lineOf(doc, lines, path);
  return `${file}: ${location}${message}${line ? ` (line ${line})` : ''}`;
}

export function formatPath(path: ReadonlyArray<string | number>): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? part : `.${part}`)).join('');
}

function lineOf(doc: Document, lines: LineCounter, path: Array<string | number>): number | undefined {
  // The deepest node that exists along the path: a missing key points at its parent.
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  return undefined;
}

function freeze(parsed: ParsedConfig, file: string): Config {
  const schedule: Record<ScheduleKey, string> = { ...DEFAULT_SCHEDULE, ...stripUndefined(parsed.schedule) };
  const weights: Weights = { ...defaultWeights(), ...(parsed.scoring.weights as Partial<Weights>) };
  const topics = Object.fromEntries(
    TOPIC_NAMES.map((name) => [name, [...(parsed.scoring.topics[name] ?? DEFAULT_TOPICS[name])]]),
  ) as Record<TopicName, string[]>;
  const upstream = parsed.digest.sections.find((s) => s.projects)?.id ?? 'upstream';
  const projects: ProjectConfig[] = parsed.projects.map((project) => ({
    name: project.name,
    digestSection: {
      id: `${upstream}/${slug(project.name)}`,
      title: project.digestTitle ?? {
        'zh-CN': parsed.digest.projectTitle['zh-CN'].replaceAll('{project}', project.name),
        en: parsed.digest.projectTitle.en.replaceAll('{project}', project.name),
      },
    },
    repos: project.repos.map(
      (repo): WatchedRepo => ({
        repo: repo.repo,
        project: project.name,
        sources: [...repo.sources],
        schedule: { ...schedule, ...stripUndefined(repo.schedule ?? {}) },
        conventions: repo.conventions ?? project.conventions ?? 'default',
        weights: { ...weights, ...(project.weights as Partial<Weights>), ...(repo.weights as Partial<Weights>) },
      }),
    ),
  }));
  return deepFreeze({
    file,
    github: { ...parsed.github },
    schedule,
    digest: {
      language: parsed.digest.language,
      title: parsed.digest.title,
      sections: parsed.digest.sections.map((s) => ({ id: s.id, title: s.title, projects: s.projects })),
      publish: publishTargets(parsed.digest.publish),
    },
    scoring: {
      weights,
      words: { ...parsed.scoring.words },
      tunedThrough: parsed.scoring.tuned?.through ?? null,
      topics,
      bots: parsed.scoring.bots.map((b) => b.toLowerCase()),
      carryOverWeeks: parsed.scoring.carryOverWeeks,
      perProject: parsed.scoring.perProject,
      variety: { ...parsed.scoring.variety },
    },
    access: {
      users: parsed.access.users.map((u) => ({ ...u })),
      tokens: parsed.access.tokens.map((t) => ({ ...t })),
    },
    projects,
    repos: projects.flatMap((p) => p.repos),
  });
}

/**
 * Where issues may be published: `repos` as listed, else just `repo` (so a config from before
 * `repos` keeps publishing where it did). The default target is `repo`, else the only one listed.
 */
function publishTargets(publish: ParsedConfig['digest']['publish']): Config['digest']['publish'] {
  const repos = publish.repos ? [...publish.repos] : publish.repo ? [publish.repo] : [];
  const named = publish.repo && repos.find((r) => r.toLowerCase() === publish.repo?.toLowerCase());
  return { repo: named || (repos.length === 1 ? (repos[0] as string) : null), repos, labels: [...publish.labels] };
}

/** "Istio/Envoy" -> "istio-envoy": a project's part of a section id. */
export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'project'
  );
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
