import { silentLogger } from '../../src/lib/logger.js';
import { type Db, openDatabase } from '../../src/store/db.js';

/**
 * A canonical dump of what radar stored, for comparing a store after crashes and faults with
 * the store of an uninterrupted run: items by (repo, kind, key) with their content, score and
 * reasons; events by item; stories by their members (not by surrogate ids); cursors; digest
 * issues. What legitimately differs between two runs is left out: ids, timestamps of when
 * radar did something (first seen, enriched, scored), revisions.
 */

export interface ItemDump {
  name: string;
  repo: string;
  kind: string;
  key: string;
  number: number | null;
  tag: string | null;
  content: string;
  score: number | null;
  reasons: string;
  /** Whether its score was computed from what is stored now (scored_revision = revision). */
  scored: boolean;
  story: string | null;
}

export interface StoreDump {
  items: Map<string, ItemDump>;
  /** Items by (repo, kind, number or tag), to count duplicates. */
  identities: Map<string, string[]>;
  events: Map<string, string[]>;
  stories: Map<string, { lead: string; members: string[]; facts: string }>;
  /** Items whose story_id names no story. */
  storyless: string[];
  cursors: Map<string, string>;
  issues: Map<number, string>;
  runs: Array<{ id: number; repo: string | null; source: string | null; status: string; error: string | null; trigger: string }>;
}

export interface StoreLocation {
  dataDir?: string;
  databaseUrl?: string;
}

export async function openStore(location: StoreLocation) {
  return openDatabase({
    databaseUrl: location.databaseUrl,
    dataDir: location.dataDir ?? '/nonexistent',
    logger: silentLogger(),
    poolSize: 2,
  });
}

export async function dumpStore(location: StoreLocation): Promise<StoreDump> {
  const handle = await openStore(location);
  try {
    return await dumpDb(handle.db);
  } finally {
    await handle.close();
  }
}

function itemName(repo: string, kind: string, key: string): string {
  return `${repo} ${kind} ${kind === 'pull' || kind === 'issue' ? `#${key}` : key}`;
}

/** Details without what records when radar did something. */
function stable(details: Record<string, unknown>): Record<string, unknown> {
  const { enrichedAt: _enrichedAt, ...rest } = details;
  return rest;
}

export async function dumpDb(db: Db): Promise<StoreDump> {
  const rows = await db
    .selectFrom('items')
    .innerJoin('repos', 'repos.id', 'items.repo_id')
    .select([
      'items.id',
      'repos.full_name',
      'items.kind',
      'items.key',
      'items.number',
      'items.tag',
      'items.title',
      'items.url',
      'items.author',
      'items.state',
      'items.labels',
      'items.body',
      'items.occurred_at',
      'items.source_updated_at',
      'items.details',
      'items.raw',
      'items.score',
      'items.score_reasons',
      'items.revision',
      'items.scored_revision',
      'items.story_id',
    ])
    .execute();
  const storyRows = await db.selectFrom('stories').selectAll().execute();
  const storyKeyById = new Map(storyRows.map((s) => [s.id, s.key]));
  const nameById = new Map<number, string>();
  const items = new Map<string, ItemDump>();
  const identities = new Map<string, string[]>();
  const storyless: string[] = [];
  for (const row of rows) {
    const name = itemName(row.full_name, row.kind, row.key);
    nameById.set(row.id, name);
    const storyKey = row.story_id === null ? null : (storyKeyById.get(row.story_id) ?? null);
    if (row.story_id !== null && storyKey === null) storyless.push(name);
    items.set(name, {
      name,
      repo: row.full_name,
      kind: row.kind,
      key: row.key,
      number: row.number,
      tag: row.tag,
      content: JSON.stringify({
        title: row.title,
        url: row.url,
        author: row.author,
        state: row.state,
        labels: row.labels,
        body: row.body,
        occurredAt: row.occurred_at.toISOString(),
        sourceUpdatedAt: row.source_updated_at.toISOString(),
        details: stable(row.details),
        raw: row.raw,
      }),
      score: row.score,
      reasons: JSON.stringify(row.score_reasons),
      scored: row.scored_revision === row.revision,
      story: storyKey,
    });
    const identity = `${row.full_name} ${row.kind} ${row.number ?? row.tag ?? row.key}`;
    identities.set(identity, [...(identities.get(identity) ?? []), name]);
  }
  const eventRows = await db
    .selectFrom('item_events')
    .select(['item_id', 'type', 'from_value', 'to_value', 'commit_sha', 'occurred_at', 'details', 'event_key'])
    .execute();
  const events = new Map<string, string[]>();
  for (const e of eventRows) {
    const name = nameById.get(e.item_id) ?? `item ${e.item_id}`;
    const text = JSON.stringify([
      e.type,
      e.from_value,
      e.to_value,
      e.commit_sha,
      e.occurred_at.toISOString(),
      e.event_key,
      e.details,
    ]);
    events.set(name, [...(events.get(name) ?? []), text].sort());
  }
  const members = new Map<number, string[]>();
  for (const row of rows)
    if (row.story_id !== null) members.set(row.story_id, [...(members.get(row.story_id) ?? []), nameById.get(row.id) as string]);
  const stories = new Map<string, { lead: string; members: string[]; facts: string }>();
  for (const s of storyRows) {
    stories.set(s.key, {
      lead: s.lead_item_id === null ? '(none)' : (nameById.get(s.lead_item_id) ?? `(item ${s.lead_item_id})`),
      members: (members.get(s.id) ?? []).sort(),
      facts: JSON.stringify({
        title: s.title,
        project: s.project,
        score: s.score,
        first: s.first_occurred_at?.toISOString() ?? null,
        last: s.last_occurred_at?.toISOString() ?? null,
      }),
    });
  }
  const cursorRows = await db
    .selectFrom('poll_cursors')
    .innerJoin('repos', 'repos.id', 'poll_cursors.repo_id')
    .select(['repos.full_name', 'poll_cursors.source', 'poll_cursors.since', 'poll_cursors.position'])
    .execute();
  const cursors = new Map(
    cursorRows.map((c) => [
      `${c.full_name} ${c.source}`,
      JSON.stringify({ since: c.since?.toISOString() ?? null, position: c.position }),
    ]),
  );
  const issueRows = await db.selectFrom('digest_issues').selectAll().execute();
  const issues = new Map(
    issueRows.map((i) => [
      i.volume,
      JSON.stringify({
        status: i.status,
        repo: i.published_repo,
        number: i.published_number,
        url: i.published_url,
        drafts: i.published_drafts,
        published: i.published_at !== null,
      }),
    ]),
  );
  const runRows = await db
    .selectFrom('runs')
    .leftJoin('repos', 'repos.id', 'runs.repo_id')
    .select(['runs.id', 'repos.full_name', 'runs.source', 'runs.status', 'runs.error', 'runs.trigger'])
    .orderBy('runs.id')
    .execute();
  const runs = runRows.map((r) => ({
    id: r.id,
    repo: r.full_name,
    source: r.source,
    status: r.status,
    error: r.error,
    trigger: r.trigger,
  }));
  return { items, identities, events, stories, storyless, cursors, issues, runs };
}

/** Every way `actual` differs from `reference`, one line each, with the counts first. */
export function compareDumps(reference: StoreDump, actual: StoreDump): { problems: string[]; lost: number; duplicates: number } {
  const problems: string[] = [];
  const list = (names: string[], max = 6) =>
    `${names.slice(0, max).join(', ')}${names.length > max ? `, ... (${names.length - max} more)` : ''}`;
  const lost = [...reference.items.keys()].filter((name) => !actual.items.has(name));
  const extra = [...actual.items.keys()].filter((name) => !reference.items.has(name));
  const duplicates = [...actual.identities.entries()].filter(([, names]) => names.length > 1);
  if (lost.length) problems.push(`${lost.length} items lost: ${list(lost)}`);
  if (extra.length) problems.push(`${extra.length} items not in the uninterrupted run: ${list(extra)}`);
  if (duplicates.length)
    problems.push(
      `${duplicates.length} items stored twice: ${list(duplicates.map(([identity, names]) => `${identity} (${names.join(' / ')})`))}`,
    );

  const both = [...reference.items.values()].filter((item) => actual.items.has(item.name));
  const unscored = both.filter((item) => !(actual.items.get(item.name) as ItemDump).scored);
  if (unscored.length)
    problems.push(`${unscored.length} items unscored (score older than the item): ${list(unscored.map((i) => i.name))}`);
  const differ = (what: string, pick: (i: ItemDump) => unknown) => {
    const names = both.filter((item) => pick(item) !== pick(actual.items.get(item.name) as ItemDump)).map((i) => i.name);
    if (names.length) {
      const first = names[0] as string;
      const detail = `${String(pick(actual.items.get(first) as ItemDump)).slice(0, 80)} instead of ${String(pick(reference.items.get(first) as ItemDump)).slice(0, 80)}`;
      problems.push(`${names.length} items with another ${what}: ${list(names)} (first: ${detail})`);
    }
  };
  differ('content', (i) => i.content);
  differ('score', (i) => i.score);
  differ('score reasons', (i) => i.reasons);
  differ('story', (i) => i.story);

  const eventNames = new Set([...reference.events.keys(), ...actual.events.keys()]);
  const eventsLost: string[] = [];
  const eventsExtra: string[] = [];
  for (const name of eventNames) {
    const want = reference.events.get(name) ?? [];
    const got = actual.events.get(name) ?? [];
    const missing = want.filter((e) => !got.includes(e));
    const more = got.length - (want.length - missing.length);
    if (missing.length) eventsLost.push(`${name} (${missing.length})`);
    if (more > 0) eventsExtra.push(`${name} (${more})`);
  }
  if (eventsLost.length) problems.push(`events lost on ${eventsLost.length} items: ${list(eventsLost)}`);
  if (eventsExtra.length)
    problems.push(`events not in the uninterrupted run on ${eventsExtra.length} items: ${list(eventsExtra)}`);

  const storiesLost = [...reference.stories.keys()].filter((key) => !actual.stories.has(key));
  const storiesExtra = [...actual.stories.keys()].filter((key) => !reference.stories.has(key));
  if (storiesLost.length) problems.push(`${storiesLost.length} stories missing: ${list(storiesLost)}`);
  if (storiesExtra.length) problems.push(`${storiesExtra.length} stories not in the uninterrupted run: ${list(storiesExtra)}`);
  const membership: string[] = [];
  const storyFacts: string[] = [];
  for (const [key, story] of reference.stories) {
    const other = actual.stories.get(key);
    if (!other) continue;
    if (other.lead !== story.lead || other.members.join('|') !== story.members.join('|'))
      membership.push(
        `${key}: [${other.members.join(', ')}] led by ${other.lead} instead of [${story.members.join(', ')}] led by ${story.lead}`,
      );
    else if (other.facts !== story.facts) storyFacts.push(`${key}: ${other.facts} instead of ${story.facts}`);
  }
  if (membership.length) problems.push(`${membership.length} stories grouped differently: ${list(membership, 3)}`);
  if (storyFacts.length)
    problems.push(`${storyFacts.length} stories with other facts (score, title, dates): ${list(storyFacts, 3)}`);
  if (actual.storyless.length)
    problems.push(`${actual.storyless.length} items point at a story that is gone: ${list(actual.storyless)}`);

  const cursorsDiffer = [...new Set([...reference.cursors.keys(), ...actual.cursors.keys()])].filter(
    (key) => reference.cursors.get(key) !== actual.cursors.get(key),
  );
  if (cursorsDiffer.length)
    problems.push(
      `cursors differ: ${list(
        cursorsDiffer.map(
          (key) => `${key} at ${actual.cursors.get(key) ?? '(none)'} instead of ${reference.cursors.get(key) ?? '(none)'}`,
        ),
        3,
      )}`,
    );
  for (const [volume, issue] of reference.issues) {
    const other = actual.issues.get(volume);
    if (other !== issue) problems.push(`digest issue ${volume}: ${other ?? '(missing)'} instead of ${issue}`);
  }
  return { problems, lost: lost.length, duplicates: duplicates.length };
}

/** Runs that are neither succeeded, failed nor skipped: left "running" by a process that is gone. */
export function runsLeftRunning(dump: StoreDump): string[] {
  return dump.runs
    .filter((r) => r.status === 'running')
    .map((r) => `run ${r.id} (${r.repo ?? '-'} ${r.source ?? '-'}, ${r.trigger})`);
}
