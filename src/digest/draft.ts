import type { DigestLink, Language } from '../domain/digest.js';
import type { ItemKind } from '../domain/source.js';

/**
 * Pure drafting of an entry from the facts of its story: a title, a blurb the editor can
 * replace (what changed, the KEP's transition, the release version, the size), and the links
 * to every artifact. Everything here is built from GitHub text, so it is rendered escaped.
 */

export interface DraftItem {
  kind: ItemKind;
  repo: string;
  project: string;
  number: number | null;
  tag: string | null;
  title: string;
  url: string;
  state: string;
  releaseNote?: string | null;
  size?: { additions: number | null; deletions: number | null; files: number | null };
  release?: { prerelease: boolean; body: string | null };
  kep?: { number: number | null; sig: string | null; status: string | null; stage: string | null };
  /** The KEP's transition in the issue's period, if any. */
  transition?: { type: string; from: string | null; to: string | null } | null;
}

export interface Draft {
  title: string;
  blurb: string;
  url: string;
  links: DigestLink[];
}

export function draftEntry(lead: DraftItem, others: readonly DraftItem[], language: Language): Draft {
  const zh = language === 'zh-CN';
  const related =
    others.length > 0
      ? zh
        ? `相关变更共 ${others.length + 1} 项，见下方链接。`
        : `${others.length + 1} related changes, linked below.`
      : '';
  return {
    title: draftTitle(lead, zh),
    blurb: [draftBlurb(lead, zh), related].filter(Boolean).join(zh ? '' : ' '),
    url: lead.url,
    links: [lead, ...others].map(linkOf),
  };
}

function draftTitle(item: DraftItem, zh: boolean): string {
  switch (item.kind) {
    case 'release':
      return zh
        ? `${productName(item.repo)} ${item.tag ?? item.title} 发布`
        : `${productName(item.repo)} ${item.tag ?? item.title} released`;
    case 'kep':
      return `KEP${item.kep?.number ? `-${item.kep.number}` : ''}: ${item.title}`;
    default:
      return item.title;
  }
}

function draftBlurb(item: DraftItem, zh: boolean): string {
  switch (item.kind) {
    case 'release': {
      const kind = item.release?.prerelease ? (zh ? '预发布版本' : 'pre-release') : zh ? '正式版本' : 'release';
      const highlights = firstLines(item.release?.body ?? null, 3);
      const head = zh
        ? `${item.repo} 发布 ${item.tag}（${kind}）。`
        : `${item.repo} ${item.tag} is out${item.release?.prerelease ? ` (${kind})` : ''}.`;
      return highlights ? `${head}${zh ? '' : ' '}${highlights}${/[.。!！?？]$/.test(highlights) ? '' : zh ? '。' : '.'}` : head;
    }
    case 'kep': {
      const sig = item.kep?.sig ? (zh ? `（${item.kep.sig}）` : ` (${item.kep.sig})`) : '';
      return `${zh ? `KEP「${item.title}」${sig}` : `The KEP “${item.title}”${sig}`}${transitionText(item, zh)}`;
    }
    case 'issue':
      return zh ? `设计讨论：${item.title}。` : `Design discussion: ${item.title}.`;
    default: {
      const note = item.releaseNote && !/^\s*(none|n\/a)\s*$/i.test(item.releaseNote) ? firstSentence(item.releaseNote) : null;
      const size = sizeText(item, zh);
      const what = note && note.toLowerCase() !== item.title.toLowerCase() ? note : item.title;
      return `${what}${/[.。!！?？]$/.test(what) ? '' : zh ? '。' : '.'}${size ? `${zh ? '' : ' '}${size}` : ''}`;
    }
  }
}

function transitionText(item: DraftItem, zh: boolean): string {
  const t = item.transition;
  if (!t) {
    const status = item.kep?.status;
    return status ? (zh ? `，当前状态为 ${status}。` : ` is ${status}.`) : zh ? '有更新。' : ' was updated.';
  }
  if (t.type === 'kep.stage')
    return zh ? `进入 ${t.to} 阶段（${t.from ?? '—'} → ${t.to}）。` : ` moved to ${t.to} (${t.from ?? 'none'} → ${t.to}).`;
  if (t.type === 'kep.status')
    return zh ? `状态由 ${t.from ?? '—'} 变为 ${t.to}。` : ` moved from ${t.from ?? 'none'} to ${t.to}.`;
  if (t.type === 'kep.created')
    return zh ? `新提出，状态为 ${t.to ?? 'provisional'}。` : ` was proposed (${t.to ?? 'provisional'}).`;
  if (t.type.startsWith('kep.milestone'))
    return zh
      ? `目标版本由 ${t.from ?? '—'} 调整为 ${t.to ?? '—'}。`
      : ` now targets ${t.to ?? 'no milestone'} (was ${t.from ?? 'none'}).`;
  return zh ? '有更新。' : ' was updated.';
}

function sizeText(item: DraftItem, zh: boolean): string {
  const size = item.size;
  if (!size || (size.additions === null && size.deletions === null)) return '';
  const lines = `+${size.additions ?? 0}/−${size.deletions ?? 0}`;
  const files = size.files ? (zh ? `，${size.files} 个文件` : `, ${size.files} files`) : '';
  return zh ? `（${lines}${files}）` : `(${lines}${files})`;
}

function linkOf(item: DraftItem): DigestLink {
  const label =
    item.kind === 'release'
      ? `${item.repo}@${item.tag}`
      : item.kind === 'kep'
        ? item.kep?.number
          ? `KEP-${item.kep.number}`
          : `KEP: ${item.title}`
        : `${item.repo}#${item.number}`;
  return { label, url: item.url, kind: item.kind };
}

function firstSentence(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const end = line.search(/(?<=[.!?。！？])\s/);
  return end > 0 ? line.slice(0, end) : line.length > 240 ? `${line.slice(0, 237)}...` : line;
}

/** The opening of a release's notes, as plain prose: headings, link syntax and PR/author references dropped. */
function firstLines(text: string | null, count: number): string {
  if (!text) return '';
  const prose = text
    .split(/\r?\n/)
    .map((l) => plain(l.replace(/^[\s#*>-]+/, '')))
    .filter((l) => l.length > 0 && !/^(release notes?|changelog|changes|what's new)\b.*$/i.test(l) && !/^(v?\d+\.\d+)/.test(l))
    .slice(0, count)
    .join(' ');
  return prose.length > 240 ? `${prose.slice(0, 237).replace(/\s+\S*$/, '')}...` : prose;
}

/** Markdown links to their text; "(#123, @user)" style references removed. */
function plain(text: string): string {
  return text
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\s*\((#\d+|@[\w-]+)(,\s*(#\d+|@[\w-]+))*\)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

const BRANDS: Record<string, string> = {
  kubernetes: 'Kubernetes',
  istio: 'Istio',
  envoy: 'Envoy',
  containerd: 'containerd',
  knative: 'Knative',
};

/** "kubernetes/kubernetes" -> "Kubernetes", "knative/serving" -> "Knative Serving". */
function productName(repo: string): string {
  const [owner = '', name = ''] = repo.split('/');
  const word = (w: string) => BRANDS[w.toLowerCase()] ?? `${w.charAt(0).toUpperCase()}${w.slice(1)}`;
  const o = owner.toLowerCase();
  const n = name.toLowerCase();
  if (o === n || o.startsWith(n) || n.startsWith(o)) return word(name);
  return `${word(owner)} ${word(name)}`;
}
