import type { FC } from 'hono/jsx';
import type { Principal } from '../../domain/access.js';
import { type DigestLink, LANGUAGES, type Language, type Text } from '../../domain/digest.js';
import type { IssueRow } from '../../store/digest.js';
import { day, Layout, safeHref } from './layout.js';

/** Digest issues: the list, and the editor of one (entries, texts per language, order, preview, publish). */

export interface IssuesView {
  nonce: string;
  principal: Principal;
  csrfToken: string;
  issues: IssueRow[];
  /** Suggested for a new issue: the next volume and the current week. */
  nextVolume: number;
  week: string;
}

export const IssuesPage: FC<IssuesView> = ({ nonce, principal, csrfToken, issues, nextVolume, week }) => (
  <Layout title="Issues" nonce={nonce} principal={principal} csrfToken={csrfToken} here="issues" page="issues">
    <h1>Digest issues</h1>
    <form class="filters" id="new-issue">
      <label>
        Vol. <input name="volume" type="number" min="1" required value={String(nextVolume)} class="narrow" />
      </label>
      <label>
        week <input name="week" type="week" required value={week} />
      </label>
      <button type="submit" class="primary">
        New issue
      </button>
    </form>
    {issues.length === 0 ? (
      <p class="notice">No issue yet.</p>
    ) : (
      <table class="grid">
        <tr>
          <th>volume</th>
          <th>title</th>
          <th>period</th>
          <th>status</th>
          <th>by</th>
        </tr>
        {issues.map((i) => (
          <tr>
            <td>
              <a href={`/issues/${i.volume}`}>{`Vol. ${i.volume}`}</a>
            </td>
            <td>{i.title}</td>
            <td>{`${day(i.periodFrom)} – ${day(new Date(i.periodTo.getTime() - 1))}`}</td>
            <td>
              {i.status === 'published' && safeHref(i.publishedUrl) ? (
                <a href={safeHref(i.publishedUrl)} rel="noopener noreferrer" target="_blank">
                  published
                </a>
              ) : (
                i.status
              )}
            </td>
            <td>{i.createdBy}</td>
          </tr>
        ))}
      </table>
    )}
  </Layout>
);

export interface EditorEntry {
  id: number;
  position: number;
  url: string | null;
  links: DigestLink[];
  manual: boolean;
  /** Per language: the text shown (the editor's, or radar's draft) and whether an editor wrote it. */
  texts: Record<Language, { title: Text; blurb: Text }>;
}

export interface EditorSection {
  id: string;
  title: string;
  depth: number;
  entries: EditorEntry[];
}

export interface IssueView {
  nonce: string;
  principal: Principal;
  csrfToken: string;
  issue: IssueRow;
  title: string;
  sections: EditorSection[];
  /** Where publishing goes: the repo it was published to, else the config's default (digest.publish.repo). */
  publishRepo: string | null;
  /** Where it may go (digest.publish.repos); once published, only where it was. */
  publishRepos: string[];
  language: Language;
}

export const IssuePage: FC<IssueView> = (view) => {
  const published = view.issue.status === 'published';
  return (
    <Layout
      title={`Vol. ${view.issue.volume}`}
      nonce={view.nonce}
      principal={view.principal}
      csrfToken={view.csrfToken}
      here="issues"
      page="issue"
    >
      <div
        id="issue"
        data-volume={String(view.issue.volume)}
        data-status={view.issue.status}
        data-language={view.language}
        class={published ? 'readonly' : ''}
      >
        <p class="muted">
          <a href="/issues">← issues</a>
        </p>
        <h1>{view.title}</h1>
        <p class="muted">
          {`${day(view.issue.periodFrom)} – ${day(new Date(view.issue.periodTo.getTime() - 1))} · ${view.issue.status}`}
          {published && safeHref(view.issue.publishedUrl) ? (
            <>
              {' · '}
              <a href={safeHref(view.issue.publishedUrl)} rel="noopener noreferrer" target="_blank">
                {`${view.issue.publishedRepo ?? ''}#${view.issue.publishedNumber ?? ''}`}
              </a>
            </>
          ) : null}
        </p>
        <div class="filters">
          {published ? (
            <>
              <span class="notice">Published: read-only until reopened.</span>
              <button type="button" id="reopen">
                Reopen
              </button>
            </>
          ) : (
            <button type="button" class="primary" id="publish">
              {view.issue.publishedNumber ? 'Publish the update…' : 'Publish…'}
            </button>
          )}
          <span class="faint">
            Alt+↑/↓ moves the focused entry; drag by ⠿ to reorder. Texts are saved when you leave the field.
          </span>
        </div>
        <div class="editor">
          <div>
            {view.sections.map((section) => (
              <SectionEditor section={section} readonly={published} />
            ))}
          </div>
          <div class="preview">
            <div class="bar">
              <strong>Preview</strong>
              <select id="preview-format" aria-label="format">
                <option value="md">Markdown</option>
                <option value="html">HTML</option>
              </select>
              <select id="preview-lang" aria-label="language">
                {LANGUAGES.map((l) => (
                  <option value={l} selected={l === view.language}>
                    {l}
                  </option>
                ))}
              </select>
              <button type="button" id="preview-refresh">
                Refresh
              </button>
            </div>
            <pre id="preview-md" />
            <iframe id="preview-html" title="HTML preview" sandbox="" hidden />
          </div>
        </div>
      </div>
      <div class="overlay" id="publish-dialog" hidden>
        <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="publish-title">
          <h2 id="publish-title">{`Publish Vol. ${view.issue.volume}?`}</h2>
          {view.publishRepos.length === 0 ? (
            <p class="notice" id="publish-unconfigured">
              The config names no repository radar may publish to: a maintainer sets digest.publish.repo (or digest.publish.repos)
              in the config file.
            </p>
          ) : (
            <p>
              {view.issue.publishedNumber
                ? 'This updates the GitHub issue published before, in '
                : 'This creates a GitHub issue with radar’s token in '}
              <strong id="publish-target">{view.publishRepo ?? ''}</strong>.
            </p>
          )}
          {view.issue.publishedRepo || view.publishRepos.length < 2 ? null : (
            <p>
              <label>
                repository{' '}
                <select id="publish-repo">
                  {view.publishRepo ? null : (
                    <option value="" selected>
                      choose…
                    </option>
                  )}
                  {view.publishRepos.map((repo) => (
                    <option value={repo} selected={repo === view.publishRepo}>
                      {repo}
                    </option>
                  ))}
                </select>
              </label>
            </p>
          )}
          <p>
            <label>
              language{' '}
              <select id="publish-lang">
                {LANGUAGES.map((l) => (
                  <option value={l} selected={l === view.language}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
          </p>
          <p>
            <label>
              <input type="checkbox" id="publish-mentions" /> let the @mentions editors wrote notify those people
            </label>
            <br />
            <span class="faint">Otherwise they read the same but notify nobody. Text from GitHub never notifies.</span>
          </p>
          <p class="filters">
            <button type="button" class="primary" id="publish-confirm" disabled={view.publishRepos.length === 0}>
              Publish
            </button>
            <button type="button" id="publish-cancel">
              Cancel
            </button>
          </p>
        </div>
      </div>
    </Layout>
  );
};

const SectionEditor: FC<{ section: EditorSection; readonly: boolean }> = ({ section, readonly }) => (
  <div class="section" data-section={section.id}>
    {section.depth === 0 ? <h2>{section.title}</h2> : <h3>{section.title}</h3>}
    <ol class="entries" data-section={section.id}>
      {section.entries.map((entry) => (
        <EntryEditor entry={entry} readonly={readonly} />
      ))}
    </ol>
    {readonly ? null : (
      <form class="add-link" data-section={section.id}>
        <input name="url" type="url" placeholder="https://… (a link of your own)" required aria-label="link URL" />
        <input name="title" placeholder="title" required aria-label="link title" />
        <button type="submit">Add link</button>
      </form>
    )}
  </div>
);

const EntryEditor: FC<{ entry: EditorEntry; readonly: boolean }> = ({ entry, readonly }) => (
  <li class="entry" data-entry={String(entry.id)} tabindex={0} draggable={readonly ? 'false' : 'true'}>
    {LANGUAGES.map((language, i) => (
      <div class="lang-pane" data-lang={language} hidden={i !== 0}>
        <div class="head">
          <span class="handle" aria-hidden="true">
            ⠿
          </span>
          <input
            class="title"
            name="title"
            value={entry.texts[language].title.text}
            aria-label={`title (${language})`}
            readonly={readonly}
            data-written={entry.texts[language].title.trusted ? '1' : ''}
          />
          {readonly ? null : (
            <button type="button" class="danger" data-action="remove" title="remove the entry">
              Remove
            </button>
          )}
        </div>
        <textarea name="blurb" aria-label={`blurb (${language})`} readonly={readonly}>
          {entry.texts[language].blurb.text}
        </textarea>
      </div>
    ))}
    <div class="langs">
      {LANGUAGES.map((language, i) => (
        <button type="button" data-show-lang={language} aria-pressed={i === 0 ? 'true' : 'false'}>
          {language}
        </button>
      ))}
      <span class="saved" aria-live="polite" />
    </div>
    <div class="links">
      {entry.links.map((link) =>
        safeHref(link.url) ? (
          <a href={safeHref(link.url)} rel="noopener noreferrer" target="_blank">
            {link.label}
          </a>
        ) : (
          <span>{link.label}</span>
        ),
      )}
    </div>
  </li>
);
