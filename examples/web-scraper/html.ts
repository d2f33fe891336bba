/**
 * A small, tolerant HTML reader: the page title, the href of every <a>, and the visible text. It is a single
 * left-to-right scan (no DOM, no dependencies) that never throws: unclosed tags, stray `<`, unquoted attributes,
 * upper-case names and comments all read the same way in every node, which is what the audit needs. It is not a
 * browser: text inside <script>, <style>, <template>, <noscript> and comments is not visible, everything else is.
 */

export type ParsedPage = {
  readonly title: string;
  readonly links: readonly string[];
  /** Visible text with entities decoded and every run of whitespace collapsed to one space. */
  readonly text: string;
};

export type ParseOptions = {
  /** Links kept per page, in document order (the rest are dropped). */
  readonly maxLinks: number;
  /** Longest href kept, in characters (longer ones are cut). */
  readonly maxHrefLength: number;
  /** Longest title kept, in characters. */
  readonly maxTitleLength: number;
};

export const DEFAULT_PARSE_OPTIONS: ParseOptions = { maxLinks: 100, maxHrefLength: 512, maxTitleLength: 256 };

/** Elements whose content is raw text that no reader sees. */
const HIDDEN_ELEMENTS = new Set(["script", "style", "template", "noscript"]);

export function parseHtml(html: string, options: ParseOptions = DEFAULT_PARSE_OPTIONS): ParsedPage {
  const links: string[] = [];
  const textParts: string[] = [];
  let title: string | undefined;
  let titleStart = -1;
  let position = 0;
  while (position < html.length) {
    const open = html.indexOf("<", position);
    const textEnd = open === -1 ? html.length : open;
    if (textEnd > position) textParts.push(html.slice(position, textEnd));
    if (open === -1) break;
    if (html.startsWith("<!--", open)) {
      const close = html.indexOf("-->", open + 4);
      position = close === -1 ? html.length : close + 3;
      continue;
    }
    const tag = readTag(html, open);
    if (tag === undefined) {
      // A `<` that starts no tag ("a < b") is text.
      textParts.push("<");
      position = open + 1;
      continue;
    }
    position = tag.end;
    if (tag.closing) {
      if (tag.name === "title" && titleStart !== -1 && title === undefined) {
        title = html.slice(titleStart, open);
        titleStart = -1;
      }
      continue;
    }
    if (tag.name === "a" && links.length < options.maxLinks) {
      const href = tag.attributes.get("href");
      if (href !== undefined) links.push(decodeEntities(href).trim().slice(0, options.maxHrefLength));
    } else if (tag.name === "title" && title === undefined) {
      titleStart = tag.end;
    } else if (HIDDEN_ELEMENTS.has(tag.name) && !tag.selfClosing) {
      position = skipRawText(html, tag.end, tag.name);
    }
  }
  if (title === undefined && titleStart !== -1) title = html.slice(titleStart);
  return {
    title: collapse(decodeEntities(stripTags(title ?? ""))).slice(0, options.maxTitleLength),
    links,
    text: collapse(decodeEntities(textParts.join(" "))),
  };
}

type Tag = {
  readonly name: string;
  readonly closing: boolean;
  readonly selfClosing: boolean;
  readonly attributes: ReadonlyMap<string, string>;
  /** Index just past the tag's `>`. */
  readonly end: number;
};

const NAME_START = /[A-Za-z]/;
const ATTRIBUTE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/y;

/** Reads the tag starting at `open` (which holds `<`), or undefined when the `<` starts no tag. */
function readTag(html: string, open: number): Tag | undefined {
  let cursor = open + 1;
  const closing = html[cursor] === "/";
  if (closing) cursor += 1;
  if (html[cursor] === "!" || html[cursor] === "?") {
    // <!DOCTYPE ...>, <![CDATA[...]]>, <?xml ...?>: declarations, skipped whole.
    const end = html.indexOf(">", cursor);
    return {
      name: "!",
      closing: false,
      selfClosing: true,
      attributes: new Map(),
      end: end === -1 ? html.length : end + 1,
    };
  }
  if (!NAME_START.test(html[cursor] ?? "")) return undefined;
  const nameStart = cursor;
  while (cursor < html.length && !/[\s/>]/.test(html[cursor] as string)) cursor += 1;
  const name = html.slice(nameStart, cursor).toLowerCase();
  const attributes = new Map<string, string>();
  let selfClosing = false;
  while (cursor < html.length) {
    const char = html[cursor] as string;
    if (char === ">") return { name, closing, selfClosing, attributes, end: cursor + 1 };
    if (char === "/" || /\s/.test(char)) {
      selfClosing = char === "/";
      cursor += 1;
      continue;
    }
    ATTRIBUTE.lastIndex = cursor;
    const match = ATTRIBUTE.exec(html);
    if (match === null) {
      cursor += 1; // a stray quote or `=`: skip it, as browsers do
      continue;
    }
    selfClosing = false;
    const attributeName = (match[1] as string).toLowerCase();
    if (!attributes.has(attributeName)) attributes.set(attributeName, match[2] ?? match[3] ?? match[4] ?? "");
    cursor = ATTRIBUTE.lastIndex;
  }
  // A tag cut off by the end of the document ends there.
  return { name, closing, selfClosing, attributes, end: html.length };
}

/** Index just past `</name ...>`, or the end of the document when the element is never closed. */
function skipRawText(html: string, from: number, name: string): number {
  const lower = html.toLowerCase();
  let search = from;
  for (;;) {
    const close = lower.indexOf(`</${name}`, search);
    if (close === -1) return html.length;
    const after = lower[close + name.length + 2];
    if (after === undefined || after === ">" || /[\s/]/.test(after)) {
      const end = html.indexOf(">", close);
      return end === -1 ? html.length : end + 1;
    }
    search = close + 1;
  }
}

function stripTags(fragment: string): string {
  return fragment.replace(/<[^>]*>?/g, " ");
}

function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  copy: "©",
  reg: "®",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  middot: "·",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
};

/** Decodes the common named entities and every numeric one; anything else is left as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z]{2,8});/g, (entity, body: string) => {
    if (body.startsWith("#")) {
      const hex = body[1] === "x" || body[1] === "X";
      const code = Number.parseInt(body.slice(hex ? 2 : 1), hex ? 16 : 10);
      const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
      return valid ? String.fromCodePoint(code) : "\uFFFD";
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}
