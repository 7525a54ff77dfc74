import { type Document, isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import type { SourceName } from '../domain/source.js';
import { ConfigError, NotFoundError, ValidationError } from '../lib/errors.js';
import type { Config } from './config.js';
import { readSource, writeDocument, writeText } from './edit.js';
import { displayPath } from './load.js';
import { insertProject, insertRepo, removeItem } from './yaml-lines.js';

/**
 * Edits the watch list in the YAML file itself, so that the file stays the one source of truth.
 * Only the lines of the repo (or project) added or removed change: the edit is made on the text,
 * where the parsed document says the entries are (yaml-lines.ts), so the rest of the file keeps
 * its indentation and comments byte for byte, and an add then a remove gives the file back as it
 * was. A layout the line edit does not handle (flow lists) is edited through yaml's Document,
 * which keeps comments and order but may re-indent. Every edit is validated as a whole config
 * before the file is replaced, atomically.
 */

export interface AddRepoRequest {
  repo: string;
  project: string;
  sources: SourceName[];
}

export interface WatchlistChange {
  config: Config;
  /** What happened, in words, for the CLI. */
  summary: string;
}

export function addRepo(file: string, request: AddRepoRequest): WatchlistChange {
  const { text, doc } = readSource(file);
  const projects = projectsOf(doc, file);
  const existing = findRepo(projects, request.repo);
  if (existing) {
    throw new ValidationError(`${request.repo} is already watched (project ${existing.projectName})`);
  }
  let project = projects.items.find(
    (p): p is YAMLMap => isMap(p) && String(p.get('name')).toLowerCase() === request.project.toLowerCase(),
  );
  const where = project ? `project ${String(project.get('name'))}` : `new project ${request.project}`;
  const summary = `added ${request.repo} (${request.sources.join(', ')}) to ${where}`;
  const repos = project?.get('repos', true);
  if (project && !isSeq(repos)) throw new ConfigError(`${displayPath(file)}: project ${request.project} has no repos list`);
  const edited = project
    ? insertRepo(text, repos as unknown as YAMLSeq, request.repo, request.sources)
    : insertProject(text, projects, request.project, request.repo, request.sources);
  if (edited !== null && watches(edited, request.repo)) return { config: writeText(file, edited), summary };

  if (!project) {
    project = doc.createNode({ name: request.project, repos: [] }) as YAMLMap;
    projects.add(project);
  }
  const list = project.get('repos', true) as unknown as YAMLSeq;
  const entry = doc.createNode({ repo: request.repo, sources: request.sources }) as YAMLMap;
  const sources = entry.get('sources', true);
  if (isSeq(sources)) sources.flow = true;
  list.add(entry);
  return { config: writeDocument(file, doc), summary };
}

export function removeRepo(file: string, repo: string): WatchlistChange {
  const { text, doc } = readSource(file);
  const projects = projectsOf(doc, file);
  const found = findRepo(projects, repo);
  if (!found) throw new NotFoundError(`${repo} is not in the watch list (${displayPath(file)})`);
  // A project without repos is invalid; it goes with its last repo.
  const last = found.repos.items.length === 1;
  const summary = `removed ${repo} from project ${found.projectName}${last ? ' (its last repo: the project was removed too)' : ''}`;
  const edited = removeItem(text, (last ? found.project : found.repos.items[found.index]) as YAMLMap);
  if (edited !== null && !watches(edited, repo)) return { config: writeText(file, edited), summary };

  found.repos.items.splice(found.index, 1);
  if (last) projects.items.splice(projects.items.indexOf(found.project), 1);
  return { config: writeDocument(file, doc), summary };
}

/** Whether an edited text watches the repo: a line edit is kept only if it did what it meant to. */
function watches(text: string, repo: string): boolean {
  const projects = parseDocument(text).get('projects', true);
  return isSeq(projects) && findRepo(projects, repo) !== undefined;
}

function projectsOf(doc: Document, file: string): YAMLSeq {
  const projects = doc.get('projects', true);
  if (!isSeq(projects)) throw new ConfigError(`${displayPath(file)}: projects: expected a list`);
  return projects;
}

interface FoundRepo {
  project: YAMLMap;
  projectName: string;
  repos: YAMLSeq;
  index: number;
}

function findRepo(projects: YAMLSeq, repo: string): FoundRepo | undefined {
  for (const project of projects.items) {
    if (!isMap(project)) continue;
    const repos = project.get('repos', true);
    if (!isSeq(repos)) continue;
    const index = repos.items.findIndex((r) => isMap(r) && String(r.get('repo')).toLowerCase() === repo.toLowerCase());
    if (index >= 0) return { project, projectName: String(project.get('name')), repos, index };
  }
  return undefined;
}
