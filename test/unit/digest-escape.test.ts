import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  escapeMarkdown,
  escapeMarkdownBlock,
  markdownInlineToHtml,
  markdownSpanToHtml,
  safeUrl,
} from '../../src/digest/escape.js';

const HOSTILE = [
  '<script>alert(1)</script>',
  '[x](javascript:alert(1))',
  '](javascript:alert(1))',
  '| a | b |',
  '![img](http://x)',
  '<img src=x onerror=alert(1)>',
  '[ref]: javascript:alert(1)',
  '`code` **bold** _em_ ~~strike~~ $x^2$',
  '&lt;script&gt; &#60;b&#62;',
];

/** Properties of text that renders literally: no tag, no link or image syntax, no table cell. */
function expectInert(markdown: string): void {
  expect(markdown).not.toContain('<');
  expect(markdown).not.toContain('>');
  expect(markdown).not.toMatch(/(^|[^\\])\]\(/); // no unescaped "]("
  expect(markdown).not.toMatch(/(^|[^\\])[[\]|`*~$]/); // brackets, pipes, code, emphasis, strike, math all escaped
  expect(markdown).not.toMatch(/&(?!amp;|lt;|gt;|#8203;)/); // no entity of the input survives (only the zero-width space radar adds)
}

describe('escapeMarkdown', () => {
  it('escapes HTML and link syntax exactly', () => {
    expect(escapeMarkdown('<script>alert(1)</script>')).toBe('&lt;script&gt;alert\\(1\\)&lt;/script&gt;');
    expect(escapeMarkdown('[x](javascript:alert(1))')).toBe('\\[x\\]\\(javascript:alert\\(1\\)\\)');
    expect(escapeMarkdown('](javascript:alert(1))')).toBe('\\]\\(javascript:alert\\(1\\)\\)');
    expect(escapeMarkdown('| a | b |')).toBe('\\| a \\| b \\|');
    expect(escapeMarkdown('![img](http://x)')).toBe('!\\[img\\]\\(http://x\\)');
    expect(escapeMarkdown('a & b &amp; c')).toBe('a &amp; b &amp;amp; c');
    expect(escapeMarkdown('back\\slash')).toBe('back\\\\slash');
  });

  it('makes every hostile example inert', () => {
    for (const text of HOSTILE) expectInert(escapeMarkdown(text));
  });

  it('keeps @mentions from notifying and #references from linking on GitHub, and versions and snake_case readable', () => {
    expect(escapeMarkdown('thanks @thockin and @k8s-ci-robot')).toBe('thanks @&#8203;thockin and @&#8203;k8s-ci-robot');
    expect(escapeMarkdown('a @ b')).toBe('a @ b');
    expect(escapeMarkdown('kubernetes/kubernetes#76968 and #123, GH-12, KEP-1287 v1.15.0 snake_case_name')).toBe(
      'kubernetes/kubernetes#&#8203;76968 and #&#8203;123, GH-&#8203;12, KEP-1287 v1.15.0 snake_case_name',
    );
    expect(escapeMarkdown('#123 at the start')).toBe('#&#8203;123 at the start');
    expect(escapeMarkdown('_private and trailing_')).toBe('\\_private and trailing\\_');
  });

  it('escapes what would start a block at the start of the text', () => {
    expect(escapeMarkdown('# heading')).toBe('\\# heading');
    expect(escapeMarkdown('- item')).toBe('\\- item');
    expect(escapeMarkdown('+ item')).toBe('\\+ item');
    expect(escapeMarkdown('1. item')).toBe('1\\. item');
    expect(escapeMarkdown('2019) item')).toBe('2019\\) item');
    expect(escapeMarkdown('> quote')).toBe('&gt; quote');
    expect(escapeMarkdown('===')).toBe('\\===');
    expect(escapeMarkdown('```')).toBe('\\`\\`\\`');
    expect(escapeMarkdown('~~~')).toBe('\\~\\~\\~');
    expect(escapeMarkdown('    indented code')).toBe('indented code');
  });

  it('drops bidi and other hidden controls, and keeps emoji sequences and right-to-left letters', () => {
    expect(escapeMarkdown('Fix \u202Eexe.gpj\u202C \u2067leak\u2069 \u200F')).toBe('Fix exe.gpj leak');
    expect(escapeMarkdown('👩‍💻 مرحبا שלום')).toBe('👩‍💻 مرحبا שלום');
    // Dropping a hidden control cannot make a mention or a reference: they are dropped first.
    expect(escapeMarkdown('@\u2060thockin #\u2066123')).toBe('@&#8203;thockin #&#8203;123');
    expect(escapeMarkdownBlock('a\u202E\n\n\u2066b')).toBe('a\n\nb');
    expect(markdownInlineToHtml('**a\u202Eb**')).toBe('<p><strong>ab</strong></p>');
    expect(markdownSpanToHtml('`\u2066code`')).toBe('<code>code</code>');
  });

  it('collapses newlines, tabs and control characters to one space', () => {
    expect(escapeMarkdown('a\nb\r\nc\td\u0000e\u2028f  \n\n  g')).toBe('a b c d e f g');
    expect(escapeMarkdown('\n  padded \t')).toBe('padded');
  });
});

describe('escapeMarkdownBlock', () => {
  it('keeps lines and paragraphs, with at most one blank line in a row', () => {
    expect(escapeMarkdownBlock('\n\nfirst line\nsecond line\n\n\n\nnext paragraph\n\n')).toBe(
      'first line\nsecond line\n\nnext paragraph',
    );
    expect(escapeMarkdownBlock('a\r\n\r\nb')).toBe('a\n\nb');
    expect(escapeMarkdownBlock(' \n\t\n')).toBe('');
  });

  it('lets no line start a Markdown block', () => {
    const block = escapeMarkdownBlock(
      '# heading\n## h2\n- list\n* list\n+ list\n1. list\n> quote\n```js\n~~~\n    code\n| a | b |\n|---|---|\n---\n===\n<div>\n[ref]: https://x',
    );
    expect(block.split('\n')).toEqual([
      '\\# heading',
      '\\## h2',
      '\\- list',
      '\\* list',
      '\\+ list',
      '1\\. list',
      '&gt; quote',
      '\\`\\`\\`js',
      '\\~\\~\\~',
      'code',
      '\\| a \\| b \\|',
      '\\|---\\|---\\|',
      '\\---',
      '\\===',
      '&lt;div&gt;',
      '\\[ref\\]: https://x',
    ]);
    for (const line of block.split('\n')) expectInert(line);
  });
});

describe('escapeHtml', () => {
  it('escapes the five special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
    expect(escapeHtml('云原生周报 Vol. 9 [x](y)')).toBe('云原生周报 Vol. 9 [x](y)');
  });
});

describe('safeUrl', () => {
  it('accepts absolute http and https URLs as written', () => {
    expect(safeUrl('https://github.com/kubernetes/kubernetes/pull/76968')).toBe(
      'https://github.com/kubernetes/kubernetes/pull/76968',
    );
    expect(safeUrl('http://example.com')).toBe('http://example.com');
    expect(safeUrl('HTTPS://Example.com/a?b=1&c=2#d')).toBe('HTTPS://Example.com/a?b=1&c=2#d');
    expect(safeUrl('  https://example.com/  ')).toBe('https://example.com/');
    expect(safeUrl('https://例子.测试/路径')).toBe('https://例子.测试/路径');
  });

  it('percent-encodes bidi and other hidden controls, so a URL shows where it leads', () => {
    expect(safeUrl('https://example.org/\u202Efdp.exe')).toBe('https://example.org/%E2%80%AEfdp.exe');
    expect(safeUrl('https://example.org/a\u2066b\u{E0041}')).toBe('https://example.org/a%E2%81%A6b%F3%A0%81%81');
  });

  it('percent-encodes what would break a Markdown or HTML link', () => {
    expect(safeUrl('https://x.org/a b(c)<d>"e\'f`g\\h')).toBe('https://x.org/a%20b%28c%29%3Cd%3E%22e%27f%60g%5Ch');
    expect(safeUrl('https://x.org/a\u00a0b')).toBe('https://x.org/a%C2%A0b');
  });

  it('rejects everything else', () => {
    for (const url of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      ' javascript:alert(1)',
      'java\nscript:alert(1)',
      'java\tscript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'file:///etc/passwd',
      'ftp://example.com/',
      'mailto:a@example.com',
      '/relative/path',
      'relative/path',
      '#anchor',
      '//example.com/protocol-relative',
      'example.com',
      'https:example.com',
      'https:/example.com',
      'https://',
      'http:///path',
      'https://exa mple.com',
      'https://example.com/\nnext',
      '',
    ]) {
      expect(safeUrl(url), url).toBeNull();
    }
  });
});

describe('markdownInlineToHtml', () => {
  it('renders links, bold, emphasis, code, line breaks and paragraphs', () => {
    expect(
      markdownInlineToHtml(
        '见 [KEP 草案](https://github.com/kubernetes/enhancements/pull/919)，**重点**是 *顺序* 与 _退出_，`kubectl get pods`。\n第二行\n\n\n第二段',
      ),
    ).toBe(
      '<p>见 <a href="https://github.com/kubernetes/enhancements/pull/919">KEP 草案</a>，<strong>重点</strong>是 <em>顺序</em> 与 <em>退出</em>，<code>kubectl get pods</code>。<br>第二行</p>\n<p>第二段</p>',
    );
  });

  it('escapes everything else, HTML included', () => {
    expect(markdownInlineToHtml('<b>bold?</b> a & b "q" \'s <img src=x onerror=alert(1)>')).toBe(
      '<p>&lt;b&gt;bold?&lt;/b&gt; a &amp; b &quot;q&quot; &#39;s &lt;img src=x onerror=alert(1)&gt;</p>',
    );
    expect(markdownInlineToHtml('`<script>`')).toBe('<p><code>&lt;script&gt;</code></p>');
    expect(markdownInlineToHtml('# not a heading\n- not a list')).toBe('<p># not a heading<br>- not a list</p>');
  });

  it('links only safe URLs, and encodes them', () => {
    expect(markdownInlineToHtml('[click](javascript:alert(1)) [data](data:text/html,x) [rel](/a)')).toBe('<p>click data rel</p>');
    expect(markdownInlineToHtml('[a](https://x.org/a"onmouseover="alert(1))')).toBe(
      '<p><a href="https://x.org/a%22onmouseover=%22alert%281%29">a</a></p>',
    );
    expect(markdownInlineToHtml('[p](https://x.org/a_(b)) <https://x.org/c>')).toBe(
      '<p><a href="https://x.org/a_%28b%29">p</a> <a href="https://x.org/c">https://x.org/c</a></p>',
    );
  });

  it('keeps unmatched or escaped delimiters as text and always balances tags', () => {
    expect(markdownInlineToHtml('**unclosed *also and snake_case_name')).toBe('<p>**unclosed *also and snake_case_name</p>');
    expect(markdownInlineToHtml('\\*not em\\* 2 * 3 * 4')).toBe('<p>*not em* 2 * 3 * 4</p>');
    expect(markdownInlineToHtml('***both*** **a *b* c**')).toBe(
      '<p><em><strong>both</strong></em> <strong>a <em>b</em> c</strong></p>',
    );
    for (const text of ['*'.repeat(1000), '*a _b **c __d', '_*_*_*', '[[[**]]]']) {
      const html = markdownInlineToHtml(text);
      expect(html.match(/<strong>/g)?.length ?? 0).toBe(html.match(/<\/strong>/g)?.length ?? 0);
      expect(html.match(/<em>/g)?.length ?? 0).toBe(html.match(/<\/em>/g)?.length ?? 0);
    }
  });

  it('takes linear time on pathological input', () => {
    const started = performance.now();
    markdownInlineToHtml('*a _b [c](https://x.org) `d '.repeat(20_000) + '['.repeat(20_000));
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('returns nothing for blank text', () => {
    expect(markdownInlineToHtml(' \n\n \t')).toBe('');
  });
});

describe('markdownSpanToHtml', () => {
  it('renders one line, without links when asked', () => {
    expect(markdownSpanToHtml('SIG Node：**Sidecar**\n[提案](https://x.org)')).toBe(
      'SIG Node：<strong>Sidecar</strong> <a href="https://x.org">提案</a>',
    );
    expect(markdownSpanToHtml('see [提案](https://x.org) <https://y.org> [**x**]', { links: false })).toBe(
      'see 提案 https://y.org [<strong>x</strong>]',
    );
  });
});
