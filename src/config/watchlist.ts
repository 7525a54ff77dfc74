import { type Document, isMap, isSeq, type YAMLMap, type YAMLSeq } from 'yaml';
import type { SourceName } from '../domain/source.js';
import { ConfigError, NotFoundError, ValidationError } from '../lib/errors.js';
import type { Config } from './config.js';
import { readDocument, writeDocument } from './edit.js';
import { displayPath } from './load.js';

/**
 * Edits the watch list in the YAML file itself, so that the file stays the one source of truth
 * and its comments, order and formatting survive (yaml's Document API keeps them). Every edit is
 * validated as a whole config before the file is replaced, atomically.
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
  const doc = readDocument(file);
  const projects = projectsOf(doc, file);
  const existing = findRepo(projects, request.repo);
  if (existing) {
    throw new ValidationError(`${request.repo} is already watched (project ${existing.projectName})`);
  }
  let project = projects.items.find(
    (p): p is YAMLMap => isMap(p) && String(p.get('name')).toLowerCase() === request.project.toLowerCase(),
  );
  let createdProject = false;
  if (!project) {
    project = doc.createNode({ name: request.project, repos: [] }) as YAMLMap;
    projects.add(project);
    createdProject = true;
  }
  const repos = project.get('repos', true);
  if (!isSeq(repos)) throw new ConfigError(`${displayPath(file)}: project ${request.project} has no repos list`);
  const entry = doc.createNode({ repo: request.repo, sources: request.sources }) as YAMLMap;
  const sources = entry.get('sources', true);
  if (isSeq(sources)) sources.flow = true;
  repos.add(entry);
  const config = writeDocument(file, doc);
  const where = createdProject ? `new project ${request.project}` : `project ${String(project.get('name'))}`;
  return { config, summary: `added ${request.repo} (${request.sources.join(', ')}) to ${where}` };
}

export function removeRepo(file: string, repo: string): WatchlistChange {
  const doc = readDocument(file);
  const projects = projectsOf(doc, file);
  const found = findRepo(projects, repo);
  if (!found) throw new NotFoundError(`${repo} is not in the watch list (${displayPath(file)})`);
  found.repos.items.splice(found.index, 1);
  let summary = `removed ${repo} from project ${found.projectName}`;
  if (found.repos.items.length === 0) {
    // A project without repos is invalid; it goes with its last repo.
    projects.items.splice(projects.items.indexOf(found.project), 1);
    summary += ` (its last repo: the project was removed too)`;
  }
  const config = writeDocument(file, doc);
  return { config, summary };
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
