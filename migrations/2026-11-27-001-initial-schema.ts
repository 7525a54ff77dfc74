import { type Kysely, sql } from 'kysely';

/**
 * The first schema covers the whole product: what is watched, what was ingested (items, their
 * events, stories), how ingestion went (cursors, conditional-request validators, runs, leases),
 * and the editorial side (digest issues, their entries, editor decisions).
 *
 * Frozen once landed: later changes go into new migrations. Uses Kysely<any>, never src/ types.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('repos')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('full_name', 'text', (c) => c.notNull())
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text')
    .addColumn('default_branch', 'text')
    // Names the repo had before GitHub reported it renamed or moved (newest last).
    .addColumn('previous_names', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index repos_full_name_key on repos (lower(full_name))`.execute(db);

  await db.schema
    .createTable('stories')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    // Stable grouping key, e.g. "kep:kubernetes/enhancements#1234", so regrouping keeps ids.
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('project', 'text')
    .addColumn('lead_item_id', 'integer')
    .addColumn('score', 'double precision')
    .addColumn('score_reasons', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('first_occurred_at', 'timestamptz')
    .addColumn('last_occurred_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('items')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('repo_id', 'integer', (c) => c.notNull().references('repos.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('pull', 'kep', 'release', 'issue')`))
    // Unique within repo+kind: a PR or issue number, a release tag, a KEP number.
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('number', 'integer')
    .addColumn('tag', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('author', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('labels', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('body', 'text')
    // When the change happened (merged, published, KEP changed); candidate lists filter on it.
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    // GitHub's updated_at (or the latest commit for a KEP): what incremental polls compare.
    .addColumn('source_updated_at', 'timestamptz', (c) => c.notNull())
    // Kind-specific facts (sizes, release note, semver, KEP stage...), normalised by sources/.
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // The GitHub payload(s) as received, so items can be re-scored without asking GitHub again.
    .addColumn('raw', 'jsonb', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('score', 'double precision')
    .addColumn('score_reasons', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('scored_at', 'timestamptz')
    .addColumn('story_id', 'integer', (c) => c.references('stories.id').onDelete('set null'))
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('items_repo_kind_key', ['repo_id', 'kind', 'key'])
    .execute();
  await db.schema.createIndex('items_occurred_at').on('items').columns(['occurred_at']).execute();
  await db.schema.createIndex('items_story_id').on('items').column('story_id').execute();

  await db.schema
    .createTable('item_events')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('item_id', 'integer', (c) => c.notNull().references('items.id').onDelete('cascade'))
    // e.g. kep.created, kep.status, kep.stage, kep.milestone, pull.merged, release.published
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('from_value', 'text')
    .addColumn('to_value', 'text')
    .addColumn('commit_sha', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // Identity of the event within its item, so re-reading the same history adds nothing.
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('item_events_item_key', ['item_id', 'event_key'])
    .execute();
  await db.schema.createIndex('item_events_occurred_at').on('item_events').column('occurred_at').execute();

  await db.schema
    .createTable('poll_cursors')
    .addColumn('repo_id', 'integer', (c) => c.notNull().references('repos.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull())
    // High-water mark: everything updated before it has been stored.
    .addColumn('since', 'timestamptz')
    // Source-specific progress (e.g. an unfinished backfill's position).
    .addColumn('position', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('poll_cursors_pkey', ['repo_id', 'source'])
    .execute();

  // Validators of conditional requests, per exact request, stored with the items they cover.
  await db.schema
    .createTable('http_validators')
    .addColumn('request_key', 'text', (c) => c.primaryKey())
    .addColumn('repo_id', 'integer', (c) => c.references('repos.id').onDelete('cascade'))
    .addColumn('source', 'text')
    .addColumn('etag', 'text')
    .addColumn('last_modified', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    // One command or scheduled tick; its runs share a batch.
    .addColumn('batch_id', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('repo_id', 'integer', (c) => c.references('repos.id').onDelete('set null'))
    .addColumn('source', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('running', 'succeeded', 'failed', 'partial')`))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addColumn('requests', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('not_modified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('graphql_points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rate_limit_remaining', 'integer')
    .addColumn('items_new', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('items_updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    // Warnings (e.g. a malformed KEP: file, commit, parse error) and figures (coverage).
    .addColumn('details', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.createIndex('runs_started_at').on('runs').column('started_at').execute();

  // One holder per repo+source at a time, across processes and machines.
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('acquired_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('digest_issues')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('volume', 'integer', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('period_from', 'timestamptz', (c) => c.notNull())
    .addColumn('period_to', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft', 'published')`))
    .addColumn('published_repo', 'text')
    .addColumn('published_number', 'integer')
    .addColumn('published_url', 'text')
    .addColumn('published_at', 'timestamptz')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('issue_entries')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('issue_id', 'integer', (c) => c.notNull().references('digest_issues.id').onDelete('cascade'))
    .addColumn('section', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('item_id', 'integer', (c) => c.references('items.id').onDelete('set null'))
    .addColumn('story_id', 'integer', (c) => c.references('stories.id').onDelete('set null'))
    // Editor's text, kept as written; for manual entries also the link.
    .addColumn('title', 'text')
    .addColumn('url', 'text')
    .addColumn('blurb', 'text', (c) => c.notNull().defaultTo(''))
    // The artifacts the entry links to (every item of a story), frozen at promotion.
    .addColumn('links', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('issue_entries_issue').on('issue_entries').columns(['issue_id', 'section', 'position']).execute();

  await db.schema
    .createTable('decisions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('item_id', 'integer', (c) => c.references('items.id').onDelete('cascade'))
    .addColumn('story_id', 'integer', (c) => c.references('stories.id').onDelete('set null'))
    // promote | dismiss | snooze | restore | remove
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('issue_id', 'integer', (c) => c.references('digest_issues.id').onDelete('set null'))
    // ISO week the decision was made for, so learning can group by week.
    .addColumn('week', 'text')
    .addColumn('editor', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('until', 'timestamptz')
    // The item's features and score reasons when decided, for `radar tune`.
    .addColumn('features', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('decisions_item').on('decisions').column('item_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'decisions',
    'issue_entries',
    'digest_issues',
    'leases',
    'runs',
    'http_validators',
    'poll_cursors',
    'item_events',
    'items',
    'stories',
    'repos',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
