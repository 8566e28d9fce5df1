// A small, forgiving HTML reader for simple-index pages: anchors with their
// attributes and text, `<base href>` and `<meta name content>`.

export interface Anchor {
  href: string;
  text: string;
  /** Lowercased attribute names → unescaped values (empty string for a bare attribute). */
  attributes: Map<string, string>;
}

export interface HtmlPage {
  anchors: Anchor[];
  base: string | null;
  meta: Map<string, string>;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** HTML character references: the named ones pages use, and numeric ones. */
export function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

const ATTRIBUTE = /([^\s"'=<>`/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

export function parseAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of source.matchAll(ATTRIBUTE)) {
    const name = (match[1] ?? '').toLowerCase();
    if (name === '' || attributes.has(name)) continue;
    attributes.set(name, unescapeHtml(match[2] ?? match[3] ?? match[4] ?? ''));
  }
  return attributes;
}

const TAG = /<(a|base|meta)(\s[^>]*)?>/gi;

export function parseHtml(html: string): HtmlPage {
  const source = html.replace(/<!--[\s\S]*?-->/g, '');
  const page: HtmlPage = { anchors: [], base: null, meta: new Map() };
  for (const match of source.matchAll(TAG)) {
    const tag = (match[1] ?? '').toLowerCase();
    const attributes = parseAttributes(match[2] ?? '');
    if (tag === 'base') {
      page.base ??= attributes.get('href') ?? null;
    } else if (tag === 'meta') {
      const name = attributes.get('name');
      const content = attributes.get('content');
      if (name !== undefined && content !== undefined) page.meta.set(name.toLowerCase(), content);
    } else {
      const href = attributes.get('href');
      if (href === undefined) continue;
      const start = (match.index ?? 0) + match[0].length;
      const end = source.slice(start).search(/<\/a\s*>/i);
      const inner = end < 0 ? '' : source.slice(start, start + end);
      const text = unescapeHtml(inner.replace(/<[^>]*>/g, '')).trim();
      page.anchors.push({ href, text, attributes });
    }
  }
  return page;
}
