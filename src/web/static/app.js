// radar's pages, enhanced: keyboard triage of the week, the issue editor's saves, reordering,
// preview and publishing. Plain JavaScript, no build step. Every write goes to the JSON API with
// the session's CSRF token; text is only ever set with textContent (never innerHTML).

const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text;
  if (!response.ok) throw new Error(data?.error || `${response.status} ${response.statusText}`);
  return data;
}

// As src/lib/hidden-controls.ts (pages are cleaned on the server; messages come from JSON).
const HIDDEN_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2060-\u206F\uFEFF\uFFF9-\uFFFB]/g;

let toastTimer;
function toast(message, bad = false) {
  const element = document.getElementById('toast');
  if (!element) return;
  // Messages quote what they refuse; bidi and other hidden controls would reorder them.
  element.textContent = String(message).replace(HIDDEN_CONTROLS, '');
  element.classList.toggle('bad', bad);
  element.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(
    () => {
      element.hidden = true;
    },
    bad ? 6000 : 2500,
  );
}

function typing(event) {
  const target = event.target;
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

// ---------------------------------------------------------------------------------------------
// The week: j/k, o, p, d, s, u, x, r, ?

function setupWeek() {
  const issueSelect = document.getElementById('current-issue');
  const help = document.getElementById('help');
  const rows = () =>
    [...document.querySelectorAll('.item')].filter((r) => !r.closest('.story.gone') && !r.classList.contains('gone'));
  let cursor = rows()[0] ?? null;
  const undo = [];

  function place(row) {
    if (!row) return;
    cursor?.classList.remove('cursor');
    cursor = row;
    row.classList.add('cursor');
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: 'nearest' });
  }
  function move(step) {
    const list = rows();
    if (list.length === 0) return;
    const index = cursor ? list.indexOf(cursor) : -1;
    place(list[Math.max(0, Math.min(list.length - 1, Math.max(index, 0) + step))]);
  }
  /** The rows an action applies to: the selection if any, else the cursor's. */
  function targets() {
    const selected = [...document.querySelectorAll('.item.selected')];
    return selected.length > 0 ? selected : cursor ? [cursor] : [];
  }
  function after(done) {
    // The cursor moves on to the next candidate still in the list.
    const list = rows();
    const next = list.find(
      (r) => !done.includes(r) && done.every((d) => d.compareDocumentPosition(r) & Node.DOCUMENT_POSITION_FOLLOWING),
    );
    for (const row of done) row.classList.remove('selected');
    place(next ?? list.filter((r) => !done.includes(r)).at(-1));
  }
  /** A project's heading counts the stories still to review. */
  function count(row) {
    const project = row.closest('.project');
    const counter = project?.querySelector('h2 .faint');
    if (counter) counter.textContent = String(project.querySelectorAll('.story:not(.gone)').length);
  }
  function hide(row, label) {
    row.classList.add('decided', 'gone');
    row.dataset.state = label;
    const story = row.closest('.story');
    if (story && [...story.querySelectorAll('.item')].every((r) => r.classList.contains('gone'))) story.classList.add('gone');
    count(row);
  }
  function show(row) {
    row.classList.remove('decided', 'gone');
    row.dataset.state = '';
    row.closest('.story')?.classList.remove('gone');
    count(row);
  }

  async function promote(list) {
    const volume = issueSelect?.value;
    if (!volume) return toast('No draft issue to promote into: create one on the Issues page.', true);
    const done = [];
    for (const row of list) {
      if (row.classList.contains('gone')) continue;
      const entry = await api('POST', `/api/issues/${volume}/entries`, { item_id: Number(row.dataset.item) });
      // Its whole story goes into the issue.
      const story = [...row.closest('.story').querySelectorAll('.item')].filter((r) => !r.classList.contains('gone'));
      for (const r of story) hide(r, 'promoted');
      done.push({ rows: story, undo: () => api('DELETE', `/api/issues/${volume}/entries/${entry.id}`) });
    }
    return done;
  }
  async function decide(list, action) {
    const done = [];
    for (const row of list) {
      if (row.classList.contains('gone')) continue;
      const id = row.dataset.item;
      const body =
        action === 'dismiss'
          ? { week: row.dataset.week || undefined }
          : {
              until: new Date(
                Date.parse(document.getElementById('summary')?.dataset.to || new Date().toISOString()) + 7 * 86400000,
              )
                .toISOString()
                .slice(0, 10),
            };
      await api('POST', `/api/items/${id}/${action}`, body);
      hide(row, action === 'dismiss' ? 'dismissed' : 'snoozed');
      done.push({ rows: [row], undo: () => api('POST', `/api/items/${id}/restore`, {}) });
    }
    return done;
  }
  async function act(kind) {
    const list = targets();
    if (list.length === 0) return;
    try {
      const done = kind === 'promote' ? await promote(list) : await decide(list, kind);
      if (!done || done.length === 0) return;
      undo.push({ kind, done });
      const n = done.length;
      toast(
        `${kind === 'promote' ? 'Promoted' : kind === 'dismiss' ? 'Dismissed' : 'Snoozed'} ${n} ${n > 1 ? 'stories' : 'item'}: u undoes`,
      );
      after(done.flatMap((d) => d.rows));
    } catch (error) {
      toast(error.message, true);
    }
  }
  async function undoLast() {
    const last = undo.pop();
    if (!last) return toast('Nothing to undo');
    try {
      for (const step of last.done.reverse()) {
        await step.undo();
        for (const row of step.rows) show(row);
      }
      place(last.done.at(-1).rows[0]);
      toast(`Undone: ${last.kind}`);
    } catch (error) {
      undo.push(last);
      toast(error.message, true);
    }
  }
  function toggleHelp(open) {
    help.hidden = open === undefined ? !help.hidden : !open;
  }

  document.getElementById('show-help')?.addEventListener('click', () => toggleHelp(true));
  document.getElementById('close-help')?.addEventListener('click', () => toggleHelp(false));
  issueSelect?.addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('issue', issueSelect.value);
    history.replaceState(null, '', url);
  });
  document.addEventListener('click', (event) => {
    const button = event.target.closest?.('button[data-action]');
    const row = event.target.closest?.('.item');
    if (row && !event.target.closest('a, summary')) place(row);
    if (button && row) act(button.dataset.action);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') return toggleHelp(false);
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    const keys = {
      j: () => move(1),
      ArrowDown: () => move(1),
      k: () => move(-1),
      ArrowUp: () => move(-1),
      o: () => cursor?.dataset.url && window.open(cursor.dataset.url, '_blank', 'noopener'),
      Enter: () => cursor && location.assign(`/items/${cursor.dataset.item}`),
      p: () => act('promote'),
      d: () => act('dismiss'),
      s: () => act('snooze'),
      u: () => undoLast(),
      x: () => cursor?.classList.toggle('selected'),
      r: () => {
        const details = cursor?.querySelector('details');
        if (details) details.open = !details.open;
      },
      '?': () => toggleHelp(),
    };
    const run = keys[event.key];
    if (!run) return;
    event.preventDefault();
    run();
  });
  place(cursor);
}

// ---------------------------------------------------------------------------------------------
// The issue editor: texts per language, remove, add links, reorder (drag, Alt+arrows), preview, publish

function setupIssue() {
  const root = document.getElementById('issue');
  const volume = root.dataset.volume;
  const readonly = root.dataset.status === 'published';
  const format = document.getElementById('preview-format');
  const language = document.getElementById('preview-lang');
  const markdown = document.getElementById('preview-md');
  const html = document.getElementById('preview-html');

  async function preview() {
    try {
      const text = await api(
        'GET',
        `/api/issues/${volume}/render?format=${format.value}&lang=${encodeURIComponent(language.value)}`,
      );
      if (format.value === 'md') {
        markdown.textContent = text;
        markdown.hidden = false;
        html.hidden = true;
      } else {
        html.srcdoc = text;
        html.hidden = false;
        markdown.hidden = true;
      }
    } catch (error) {
      toast(error.message, true);
    }
  }
  format.addEventListener('change', preview);
  language.addEventListener('change', preview);
  document.getElementById('preview-refresh').addEventListener('click', preview);

  // Language tabs of each entry.
  root.addEventListener('click', async (event) => {
    const tab = event.target.closest('button[data-show-lang]');
    if (tab) {
      const entry = tab.closest('.entry');
      for (const pane of entry.querySelectorAll('.lang-pane')) pane.hidden = pane.dataset.lang !== tab.dataset.showLang;
      for (const other of entry.querySelectorAll('button[data-show-lang]'))
        other.setAttribute('aria-pressed', String(other === tab));
      return;
    }
    const remove = event.target.closest('button[data-action="remove"]');
    if (remove && !readonly) {
      const entry = remove.closest('.entry');
      try {
        await api('DELETE', `/api/issues/${volume}/entries/${entry.dataset.entry}`);
        entry.remove();
        toast('Entry removed');
        preview();
      } catch (error) {
        toast(error.message, true);
      }
    }
  });

  // Texts are saved when a field is left, for the language it was written in.
  root.addEventListener('change', async (event) => {
    const field = event.target;
    if (readonly || !(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) return;
    const entry = field.closest('.entry');
    const pane = field.closest('.lang-pane');
    if (!entry || !pane) return;
    const status = entry.querySelector('.saved');
    try {
      await api('PATCH', `/api/issues/${volume}/entries/${entry.dataset.entry}`, {
        [field.name]: field.value,
        lang: pane.dataset.lang,
      });
      status.textContent = `saved (${pane.dataset.lang})`;
      preview();
    } catch (error) {
      toast(error.message, true);
    }
  });

  for (const form of root.querySelectorAll('form.add-link')) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      try {
        await api('POST', `/api/issues/${volume}/entries`, {
          url: String(data.get('url')),
          title: String(data.get('title')),
          section: form.dataset.section,
        });
        location.reload();
      } catch (error) {
        toast(error.message, true);
      }
    });
  }

  async function place(entry) {
    const list = entry.closest('ol.entries');
    const position = [...list.children].indexOf(entry) + 1;
    try {
      await api('PATCH', `/api/issues/${volume}/entries/${entry.dataset.entry}`, { section: list.dataset.section, position });
      preview();
    } catch (error) {
      toast(error.message, true);
      location.reload();
    }
  }

  if (!readonly) {
    let dragged = null;
    root.addEventListener('dragstart', (event) => {
      dragged = event.target.closest?.('.entry');
      if (!dragged) return;
      dragged.classList.add('dragging');
      event.dataTransfer.effectAllowed = 'move';
      event.dataTransfer.setData('text/plain', dragged.dataset.entry);
    });
    root.addEventListener('dragover', (event) => {
      if (!dragged) return;
      const over = event.target.closest?.('.entry, ol.entries');
      if (!over) return;
      event.preventDefault();
      for (const e of root.querySelectorAll('.drop-before')) e.classList.remove('drop-before');
      if (over.classList.contains('entry') && over !== dragged) over.classList.add('drop-before');
    });
    root.addEventListener('drop', (event) => {
      if (!dragged) return;
      event.preventDefault();
      const over = event.target.closest?.('.entry, ol.entries');
      for (const e of root.querySelectorAll('.drop-before')) e.classList.remove('drop-before');
      if (over?.classList.contains('entry') && over !== dragged) over.before(dragged);
      else if (over?.matches('ol.entries')) over.append(dragged);
      else return;
      place(dragged);
    });
    root.addEventListener('dragend', () => {
      dragged?.classList.remove('dragging');
      dragged = null;
    });
    root.addEventListener('keydown', (event) => {
      if (!event.altKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
      const entry = event.target.closest?.('.entry');
      if (!entry) return;
      event.preventDefault();
      const sibling = event.key === 'ArrowUp' ? entry.previousElementSibling : entry.nextElementSibling;
      if (!sibling) return;
      if (event.key === 'ArrowUp') sibling.before(entry);
      else sibling.after(entry);
      entry.focus();
      place(entry);
    });
  }

  // Publishing asks first, and says where.
  const dialog = document.getElementById('publish-dialog');
  document.getElementById('publish')?.addEventListener('click', () => {
    dialog.hidden = false;
    document.getElementById('publish-confirm').focus();
  });
  document.getElementById('publish-cancel')?.addEventListener('click', () => {
    dialog.hidden = true;
  });
  // Only a repository the config allows can be chosen; the server checks it again.
  document.getElementById('publish-repo')?.addEventListener('change', (event) => {
    document.getElementById('publish-target').textContent = event.target.value;
  });
  document.getElementById('publish-confirm')?.addEventListener('click', async () => {
    const repo = document.getElementById('publish-repo')?.value.trim();
    try {
      const result = await api('POST', `/api/issues/${volume}/publish`, {
        ...(repo ? { repo } : {}),
        lang: document.getElementById('publish-lang').value,
        allow_mentions: document.getElementById('publish-mentions').checked,
      });
      toast(`${result.action === 'created' ? 'Published' : 'Updated'}: ${result.url}`);
      setTimeout(() => location.reload(), 800);
    } catch (error) {
      toast(error.message, true);
    }
  });
  document.getElementById('reopen')?.addEventListener('click', async () => {
    try {
      await api('POST', `/api/issues/${volume}/reopen`, {});
      location.reload();
    } catch (error) {
      toast(error.message, true);
    }
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && dialog) dialog.hidden = true;
  });
  preview();
}

function setupIssues() {
  const form = document.getElementById('new-issue');
  form?.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      const issue = await api('POST', '/api/issues', { volume: Number(data.get('volume')), week: String(data.get('week')) });
      location.assign(`/issues/${issue.volume}`);
    } catch (error) {
      toast(error.message, true);
    }
  });
}

const pages = { week: setupWeek, issue: setupIssue, issues: setupIssues };
pages[document.body.dataset.page]?.();
