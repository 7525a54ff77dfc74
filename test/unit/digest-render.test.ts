import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { labelsFor } from '../../src/digest/labels.js';
import { render } from '../../src/digest/render.js';
import { renderHtml } from '../../src/digest/render-html.js';
import { renderMarkdown } from '../../src/digest/render-markdown.js';
import type { DigestEntry, DigestLink, DigestSection, Language, RenderableIssue } from '../../src/domain/digest.js';

// Golden files: rewrite them with `UPDATE_GOLDEN=1 npx vitest run test/unit/digest-render.test.ts`, then read the diff.
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const golden = (name: string) => new URL(`../fixtures/golden/${name}`, import.meta.url);

function expectGolden(name: string, actual: string): void {
  if (UPDATE) writeFileSync(golden(name), actual);
  expect(actual).toBe(readFileSync(golden(name), 'utf8'));
}

const HOSTILE_TITLE = '<script>alert(1)</script> ](javascript:alert(1)) | a | b |';

const untrusted = (text: string) => ({ text, trusted: false });
const trusted = (text: string) => ({ text, trusted: true });
const pull = (repo: string, number: number): DigestLink => ({
  label: `${repo}#${number}`,
  url: `https://github.com/${repo}/pull/${number}`,
  kind: 'pull',
});

function entry(id: number, position: number, fields: Omit<DigestEntry, 'id' | 'position'>): DigestEntry {
  return { id, position, ...fields };
}

function section(id: string, title: string, entries: DigestEntry[], sections: DigestSection[] = []): DigestSection {
  return { id, title, entries, sections };
}

/** Volume 9 of the weekly, as the editor would leave it before publishing. */
function issue9(language: Language): RenderableIssue {
  const zh = language === 'zh-CN';
  const t = (zhText: string, enText: string) => (zh ? zhText : enText);

  const release = entry(1, 1, {
    title: untrusted('Kubernetes v1.15.0'),
    blurb: untrusted(
      t(
        'Kubernetes v1.15.0 正式发布，主要更新：\n- CRD 支持 structural schema 与字段裁剪（pruning）\n- kubeadm 管理高可用控制面进入 beta\n\n\n\n详见 CHANGELOG-1.15.md。',
        'Kubernetes v1.15.0 is out. Highlights:\n- CRDs get structural schemas and pruning\n- kubeadm can manage highly available control planes (beta)\n\n\n\nSee CHANGELOG-1.15.md.',
      ),
    ),
    url: 'https://github.com/kubernetes/kubernetes/releases/tag/v1.15.0',
    links: [{ label: 'v1.15.0', url: 'https://github.com/kubernetes/kubernetes/releases/tag/v1.15.0', kind: 'release' }],
  });
  const story = entry(2, 2, {
    title: untrusted('Add Pod Overhead to the PodSpec and RuntimeClass API'),
    blurb: untrusted(
      t(
        'Pod Overhead 的 API 已合入：RuntimeClass 可以声明 Kata 等沙箱运行时的额外开销（overhead），调度与 ResourceQuota 会把它计入 Pod 的资源请求。',
        'The Pod Overhead API is merged: a RuntimeClass can declare the overhead of a sandboxed runtime such as Kata, and scheduling and ResourceQuota count it in the pod requests.',
      ),
    ),
    url: 'https://github.com/kubernetes/kubernetes/pull/76968',
    links: [
      pull('kubernetes/kubernetes', 76968),
      pull('kubernetes/kubernetes', 78484),
      {
        label: 'KEP-688',
        url: 'https://github.com/kubernetes/enhancements/blob/master/keps/sig-node/20190226-pod-overhead.md',
        kind: 'kep',
      },
    ],
  });
  // Position 3 is listed first in the array: entries are numbered by position, not by array order.
  const editorial = entry(3, 3, {
    title: trusted(t('SIG Node：Sidecar 容器提案开始讨论', 'SIG Node: the sidecar containers proposal is up for discussion')),
    blurb: trusted(
      t(
        '本周 SIG Node 例会**重点讨论**了 sidecar 容器的启动与退出顺序，见 [KEP 草案](https://github.com/kubernetes/enhancements/pull/919)。\n社区希望它在 1.16 以 alpha 发布。\n\n欢迎到 PR 下留言，说说 *你的* 使用场景。',
        'This week SIG Node **discussed** the start and stop order of sidecar containers, see the [draft KEP](https://github.com/kubernetes/enhancements/pull/919).\nThe community hopes to ship it as alpha in 1.16.\n\nTell them about *your* use case on the PR.',
      ),
    ),
    url: 'https://github.com/kubernetes/enhancements/issues/753',
    links: [],
  });
  const knative = entry(4, 1, {
    title: untrusted('Knative Serving v0.7.0'),
    blurb: untrusted(
      t(
        'Serving v0.7.0 发布：serving.knative.dev/v1beta1 API 上线，Route 与 Configuration 可以内联在 Service 中定义。',
        'Serving v0.7.0 is out: the serving.knative.dev/v1beta1 API arrives, and a Service can define its Route and Configuration inline.',
      ),
    ),
    url: 'https://github.com/knative/serving/releases/tag/v0.7.0',
    links: [
      { label: 'v0.7.0', url: 'https://github.com/knative/serving/releases/tag/v0.7.0', kind: 'release' },
      pull('knative/serving', 4227),
    ],
  });
  const hostile = entry(5, 1, {
    title: untrusted(HOSTILE_TITLE),
    blurb: untrusted(
      '# not a heading\n> not a quote\n```\n<img src=x onerror=alert(1)>\n1. not a list\n| a | b |\n|---|---|\n[ref]: javascript:alert(1)\n![img](http://x) @mention',
    ),
    url: 'https://github.com/containerd/containerd/pull/3345',
    links: [
      pull('containerd/containerd', 3345),
      { label: 'click [me](javascript:alert(1))', url: 'javascript:alert(1)', kind: 'link' },
      { label: 'data', url: 'data:text/html,<script>alert(1)</script>', kind: 'link' },
    ],
  });
  const reading = entry(6, 1, {
    title: trusted(t('Kubernetes 1.15：可扩展性与持续改进', 'Kubernetes 1.15: Extensibility and Continuous Improvement')),
    blurb: trusted(
      t(
        '官方博客对 1.15 的介绍，推荐阅读 **可扩展性** 一节：CRD、Admission Webhook 与调度框架都有进展。',
        'The release announcement on the Kubernetes blog; the **extensibility** part is the one to read.',
      ),
    ),
    url: 'https://kubernetes.io/blog/2019/06/19/kubernetes-1-15-release-announcement/',
    links: [
      {
        label: 'Kubernetes 1.15: Extensibility and Continuous Improvement',
        url: 'https://kubernetes.io/blog/2019/06/19/kubernetes-1-15-release-announcement/',
        kind: 'link',
      },
    ],
  });

  return {
    volume: 9,
    title: t('云原生周报 Vol. 9', 'Cloud-native weekly Vol. 9'),
    language,
    period: { from: new Date('2019-06-17T00:00:00Z'), to: new Date('2019-06-24T00:00:00Z') },
    sections: [
      section('news', t('新闻', 'News'), []),
      section(
        'upstream',
        t('上游重要进展', 'Important upstream progress'),
        [],
        [
          section('upstream/kubernetes', t('Kubernetes 项目', 'Kubernetes'), [editorial, release, story]),
          section('upstream/knative', t('Knative 项目', 'Knative'), [knative]),
          section('upstream/istio', t('Istio/Envoy 项目', 'Istio/Envoy'), [], [section('upstream/istio/envoy', 'Envoy', [])]),
          section('upstream/containerd', t('containerd 项目', 'containerd'), [hostile]),
        ],
      ),
      section('reading', t('本期阅读推荐', 'Reading'), [reading]),
    ],
  };
}

const RENDERINGS = [
  { name: 'issue-9.zh-CN.md', text: () => renderMarkdown(issue9('zh-CN')) },
  { name: 'issue-9.en.md', text: () => renderMarkdown(issue9('en')) },
  { name: 'issue-9.zh-CN.html', text: () => renderHtml(issue9('zh-CN')) },
];

describe('digest rendering', () => {
  for (const { name, text } of RENDERINGS) {
    it(`matches the golden file ${name}`, () => {
      expectGolden(name, text());
    });
  }

  it('renders the same issue identically every time', () => {
    for (const { text } of RENDERINGS) expect(text()).toBe(text());
    expect(render(issue9('en'), 'md')).toBe(renderMarkdown(issue9('en')));
    expect(render(issue9('zh-CN'), 'html')).toBe(renderHtml(issue9('zh-CN')));
  });

  it('lets nothing hostile through in any format', () => {
    for (const language of ['zh-CN', 'en'] as const) {
      for (const format of ['md', 'html'] as const) {
        const output = render(issue9(language), format);
        expect(output).not.toMatch(/<script/i);
        expect(output).not.toMatch(/<img/i);
        expect(output).not.toContain('](javascript');
        expect(output).not.toMatch(/href="(?!https?:\/\/)/);
      }
    }
  });

  it('drops bidi and other hidden controls everywhere, so every text reads in the order it is stored', () => {
    // "Fix <RLO>exe.gpj<PDF> leak": shown "Fix jpg.exe leak" by a renderer that lets U+202E through.
    const bidi = (text: string) => `Fix \u202Eexe.gpj\u202C ${text} \u2066leak\u2069\u200F\u061C\uFEFF\u2060`;
    const issue: RenderableIssue = {
      ...issue9('en'),
      title: bidi('Vol. 9'),
      sections: [
        section('news', bidi('News'), [
          entry(1, 1, {
            title: untrusted(bidi('from GitHub')),
            blurb: untrusted(bidi('drafted\nsecond line')),
            url: 'https://github.com/o/r/pull/1\u202E',
            links: [{ label: bidi('label'), url: 'https://example.org/\u2067x', kind: 'link' }],
          }),
          entry(2, 2, {
            title: trusted(bidi('**editor**')),
            blurb: trusted(bidi('an *editor* wrote\n\n    indented')),
            url: null,
            links: [{ label: '', url: 'https://example.org/\u202Dy', kind: 'link' }],
          }),
          entry(3, 3, {
            title: untrusted('👩‍💻 مرحبا 上游 \u{E0068}\u{E0069}'),
            blurb: trusted('🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F} שלום'),
            url: null,
            links: [],
          }),
        ]),
      ],
    };
    const markdown = renderMarkdown(issue);
    const html = renderHtml(issue);
    for (const output of [markdown, html]) {
      expect(output).not.toMatch(/[\u061C\u200E\u200F\u202A-\u202E\u2060-\u206F\uFEFF]|\u{E0068}/u);
      expect(output).toContain('Fix exe.gpj');
      // Emoji sequences, right-to-left letters and a flag's tag sequence stay as they are.
      expect(output).toContain('👩‍💻 مرحبا 上游');
      expect(output).toContain('🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F} שלום');
    }
    expect(markdown).toContain('# Fix exe.gpj Vol. 9 leak\n');
    expect(markdown).toContain('## Fix exe.gpj News leak\n');
    expect(markdown).toContain('1. **[Fix exe.gpj from GitHub leak](https://github.com/o/r/pull/1%E2%80%AE)**');
    expect(markdown).toContain('   Fix exe.gpj drafted\n   second line leak');
    expect(markdown).toContain('2. **Fix exe.gpj **editor** leak**\n\n   Fix exe.gpj an *editor* wrote\n\n       indented leak');
    // URLs keep their hidden controls percent-encoded: the same address, shown as it is.
    expect(markdown).toContain('[Fix exe.gpj label leak](https://example.org/%E2%81%A7x)');
    expect(html).toContain('<a href="https://example.org/%E2%80%ADy">https://example.org/%E2%80%ADy</a>');
    expect(html).toContain('<title>Fix exe.gpj Vol. 9 leak</title>');
  });

  it('leaves out sections without entries, at any depth', () => {
    const markdown = renderMarkdown(issue9('zh-CN'));
    expect(markdown).not.toContain('Istio');
    expect(markdown).not.toContain('Envoy');
    expect(markdown).not.toContain('新闻');
    const html = renderHtml(issue9('zh-CN'));
    expect(html).not.toContain('Istio');
    expect(html).not.toContain('data-section="news"');
  });

  it('writes Markdown with one final newline and no trailing spaces', () => {
    for (const language of ['zh-CN', 'en'] as const) {
      const markdown = renderMarkdown(issue9(language));
      expect(markdown.endsWith('\n')).toBe(true);
      expect(markdown.endsWith('\n\n')).toBe(false);
      expect(markdown).not.toMatch(/[ \t]$/m);
      expect(markdown).not.toMatch(/\n\n\n/);
    }
  });

  it('indents everything of an entry to its content column, also past nine entries', () => {
    const entries = Array.from({ length: 10 }, (_, i) =>
      entry(i + 1, i + 1, {
        title: untrusted(`Entry ${i + 1}`),
        blurb: trusted('First line\nsecond line\n\n\n- a nested list'),
        url: null,
        links: [pull('o/r', i + 1)],
      }),
    );
    const issue: RenderableIssue = { ...issue9('en'), sections: [section('news', 'News', entries)] };
    const markdown = renderMarkdown(issue);
    expect(markdown).toContain(
      '9. **Entry 9**\n\n   First line\n   second line\n\n   - a nested list\n\n   Links: [o/r#&#8203;9]',
    );
    expect(markdown).toContain(
      '10. **Entry 10**\n\n    First line\n    second line\n\n    - a nested list\n\n    Links: [o/r#&#8203;10]',
    );
  });

  it('shows a title without a safe URL, or a blank one, as bold text', () => {
    const issue: RenderableIssue = {
      ...issue9('en'),
      sections: [
        section('news', 'News', [
          entry(1, 1, { title: untrusted('No link'), blurb: untrusted(''), url: 'javascript:alert(1)', links: [] }),
          entry(2, 2, { title: untrusted('  '), blurb: untrusted(''), url: null, links: [] }),
        ]),
      ],
    };
    expect(renderMarkdown(issue)).toContain('1. **No link**\n\n2. **\\(untitled\\)**\n');
    expect(renderHtml(issue)).toContain('<p class="title"><strong>No link</strong></p>');
  });

  it('shows the period [from, to) with its last day, in UTC', () => {
    const period = { from: new Date('2019-12-30T00:00:00Z'), to: new Date('2020-01-06T00:00:00Z') };
    expect(labelsFor('zh-CN').period(period)).toBe('本期时间：2019-12-30 ~ 2020-01-05');
    expect(labelsFor('en').period(period)).toBe('2019-12-30 – 2020-01-05');
    // A period ending mid-day includes that day.
    expect(labelsFor('en').period({ from: period.from, to: new Date('2020-01-05T12:00:00Z') })).toBe('2019-12-30 – 2020-01-05');
    expect(labelsFor('zh-CN')).toMatchObject({ linksPrefix: '相关链接：', listSeparator: '，' });
    expect(labelsFor('en')).toMatchObject({ linksPrefix: 'Links: ', listSeparator: ', ' });
  });
});
