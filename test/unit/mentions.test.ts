import { describe, expect, it } from 'vitest';
import { escapeMarkdown } from '../../src/digest/escape.js';
import { isMentionAt, neutraliseMentions } from '../../src/digest/mentions.js';
import { renderMarkdown } from '../../src/digest/render-markdown.js';
import type { RenderableIssue } from '../../src/domain/digest.js';

const B = '&#8203;';
const n = neutraliseMentions;

describe('what GitHub reads as a mention', () => {
  it.each([
    ['@someone', 0, true],
    ['thanks @thockin', 7, true],
    ['感谢@thockin', 2, true],
    ['(@thockin)', 1, true],
    ['**@thockin**', 2, true],
    ['_@thockin_', 1, true],
    ['\\@thockin', 1, true],
    ['@kubernetes/sig-node-leads', 0, true],
    ['a@b', 1, false],
    ['alice@example.com', 5, false],
    ['first.last-@example.com', 11, false],
    ['a @ b', 2, false],
    ['@-dash', 0, false],
    ['https://medium.com/@someone/post', 19, false],
    ['see https://medium.com/@someone', 23, false],
    // No host with a dot and a "/" before it: not a URL GitHub links, so a mention.
    ['https://@someone', 8, true],
    ['x/@someone', 2, true],
  ] as const)('%s (at %i): %s', (text, at, mention) => {
    expect(text[at]).toBe('@');
    expect(isMentionAt(text, at, { markdown: true })).toBe(mention);
  });

  it('counts a URL after "(" or emphasis only in editor Markdown, not in text about to be escaped', () => {
    expect(isMentionAt('(https://medium.com/@someone)', 20, { markdown: true })).toBe(false);
    expect(isMentionAt('(https://medium.com/@someone)', 20, { markdown: false })).toBe(true);
    expect(isMentionAt('https://x.org/a_b/@someone', 18, { markdown: false })).toBe(true);
  });
});

describe('neutraliseMentions', () => {
  it('breaks user and team mentions in text, emphasis, headings, lists, quotes and link labels', () => {
    expect(n('thanks @thockin and @kubernetes/sig-node-leads!')).toBe(`thanks @${B}thockin and @${B}kubernetes/sig-node-leads!`);
    expect(n('# By @a\n\n- item by **@b**\n> quoted @c\n[@d](https://example.org)')).toBe(
      `# By @${B}a\n\n- item by **@${B}b**\n> quoted @${B}c\n[@${B}d](https://example.org)`,
    );
    expect(n('感谢@thockin，以及 _@liggitt_')).toBe(`感谢@${B}thockin，以及 _@${B}liggitt_`);
    // A backslash does not keep GitHub from mentioning: the break still goes in.
    expect(n('\\@thockin')).toBe(`\\@${B}thockin`);
    expect(n('&#64;thockin &#x40;a &commat;b a&#64;b')).toBe(`&#64;${B}thockin &#x40;${B}a &commat;${B}b a&#64;b`);
    // In an HTML block Markdown is not read, but the character reference is.
    expect(n('<details>\n<summary>@a</summary>\n</details>')).toBe(`<details>\n<summary>@${B}a</summary>\n</details>`);
  });

  it('leaves e-mail addresses, URLs, link destinations, autolinks and HTML as written', () => {
    const kept = [
      'mail alice@example.com or first.last-@example.org',
      'read https://medium.com/@someone/post and www.example.org/@x',
      '(https://medium.com/@someone/post)',
      '[the post](https://medium.com/@someone/post "by @someone")'.slice(0, 44),
      '<https://medium.com/@someone> <alice@example.com>',
      '<a href="https://example.org/@someone">x</a>',
      '<!-- radar-digest @someone -->',
      'a @ b, @-, @',
    ];
    for (const text of kept) expect(n(text)).toBe(text);
  });

  it('leaves code as written: spans, fenced and indented blocks', () => {
    const kept = [
      'install `@types/node` and ``a `@b` c``',
      '```ts\n@Component()\nclass A {}\n```',
      '~~~\n@x\n~~~~',
      '    @decorator\n    def f(): pass',
      'text\n\n    @indented code',
    ];
    for (const text of kept) expect(n(text)).toBe(text);
    // Around the code, mentions are broken; an unclosed span is no span.
    expect(n('`@a` then @b')).toBe(`\`@a\` then @${B}b`);
    expect(n('` @a')).toBe(`\` @${B}a`);
    expect(n('```\n@a\n```\n@b')).toBe(`\`\`\`\n@a\n\`\`\`\n@${B}b`);
    // A line indented under a paragraph continues it (not code), as does a list item's own paragraph.
    expect(n('para\n    @a')).toBe(`para\n    @${B}a`);
    expect(n('- item\n\n  more by @a\n\n      @code')).toBe(`- item\n\n  more by @${B}a\n\n      @code`);
  });

  it('is what escapeMarkdown does for untrusted text, which has no code or links of its own', () => {
    expect(escapeMarkdown('thanks @thockin, mail alice@example.com')).toBe(`thanks @${B}thockin, mail alice@example.com`);
    expect(escapeMarkdown('see https://medium.com/@someone/post')).toBe('see https://medium.com/@someone/post');
    expect(escapeMarkdown('https://example.org/page#1 and #2')).toBe(`https://example.org/page#1 and #${B}2`);
    // `(` is escaped in untrusted text, and GitHub may not link what follows: the mention is broken.
    expect(escapeMarkdown('(https://medium.com/@someone)')).toBe(`\\(https://medium.com/@${B}someone\\)`);
  });
});

describe('renderMarkdown with breakMentions', () => {
  const issue: RenderableIssue = {
    volume: 9,
    title: 'Vol. 9 with @issue-title',
    language: 'en',
    period: { from: new Date('2019-06-17T00:00:00Z'), to: new Date('2019-06-24T00:00:00Z') },
    sections: [
      {
        id: 'news',
        title: 'News for @section',
        sections: [],
        entries: [
          {
            id: 1,
            position: 1,
            title: { text: 'Thanks @title-author', trusted: true },
            blurb: { text: 'By @blurb-author (mail a@example.org), `@types/node`\n\n```\n@code\n```', trusted: true },
            url: 'https://example.org/post',
            links: [],
          },
          {
            id: 2,
            position: 2,
            title: { text: 'From GitHub @upstream', trusted: false },
            blurb: { text: 'Drafted by @\u2060hidden', trusted: false },
            url: null,
            links: [{ label: 'by @someone', url: 'https://example.org/@someone', kind: 'link' }],
          },
        ],
      },
    ],
  };

  it('breaks every mention an editor wrote, and keeps code, e-mail and URLs', () => {
    const markdown = renderMarkdown(issue, { breakMentions: true });
    expect(markdown).toContain(`# Vol. 9 with @${B}issue-title\n`);
    expect(markdown).toContain(`## News for @${B}section\n`);
    expect(markdown).toContain(`1. **[Thanks @${B}title-author](https://example.org/post)**`);
    expect(markdown).toContain(`   By @${B}blurb-author (mail a@example.org), \`@types/node\`\n\n   \`\`\`\n   @code\n   \`\`\``);
    expect(markdown).toContain(`2. **From GitHub @${B}upstream**`);
    expect(markdown).toContain(`Drafted by @${B}hidden`);
    expect(markdown).toContain(`[by @${B}someone](https://example.org/@someone)`);
    // Every other "@" before a name is in the code block (and the code span and URL above).
    expect(markdown.match(/(^|[^A-Za-z0-9_`/])@(?!&#8203;)[A-Za-z0-9]/gm)).toEqual([' @c']);
  });

  it('keeps what editors wrote as written by default (the preview, radar issue render); text from GitHub is always broken', () => {
    const markdown = renderMarkdown(issue);
    expect(markdown).toContain('# Vol. 9 with @issue-title\n');
    expect(markdown).toContain('1. **[Thanks @title-author]');
    expect(markdown).toContain(`2. **From GitHub @${B}upstream**`);
  });
});
