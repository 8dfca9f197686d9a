// The lexer of tools/check_layers.ts: the tokens of a TypeScript or
// JavaScript source, comments, strings, template literals and regular
// expressions told apart, so that nothing inside them is read as code and
// nothing around an import hides it. From one pass over the tokens come
// the imports (rules 1-4) and the string literals with where they stand
// (rule 5). The code of a doc comment's examples (```ts fences, run by
// `deno test --doc`) is read as well: an example is what a reader copies.
// It is no parser: a `/` after `)`, `]` or `}` is read as a division.

type Token =
  | {
    kind: "name" | "punct" | "number" | "regex" | "string";
    text: string;
    /** Where the token starts; for a string, where its text starts. */
    offset: number;
  }
  | {
    /** One static part of a template literal. */
    kind: "template";
    /** The part's text; it starts at `offset` (after "`" or "}"). */
    text: string;
    offset: number;
    /** The first part (after "`"), not one after a substitution. */
    head: boolean;
    /** A substitution `${` follows the part. */
    computed: boolean;
  };

/** One string literal, or one static part of a template literal. */
export interface Literal {
  /** The text, each escaped character kept without its backslash. */
  readonly text: string;
  /** Where the text starts in the source (after its quote, "`" or "}"). */
  readonly offset: number;
  /** A plain string, or the first part of a template (before any `${`). */
  readonly head: boolean;
  /**
   * What takes it, when it is the first thing after one of these: `from`,
   * `import`, or a call's `(` with the callee's dotted name (`import(`,
   * `Deno.readTextFile(`, `URL(`); "" otherwise.
   */
  readonly before: string;
}

/** The imports and the string literals of one source. */
export interface SourceText {
  /**
   * The relative specifiers it imports, in order: static imports and
   * re-exports (type-only too), side-effect and dynamic imports, the
   * `new URL("…", import.meta.url)` of a worker or a Wasm file, then those
   * of the examples in its doc comments. A template literal with
   * substitutions whose text starts relative is given as its head and
   * `${…}` in backticks: the check cannot follow it.
   */
  readonly imports: string[];
  /** Its string literals and template parts, its examples' too, in order. */
  readonly literals: Literal[];
}

const KEYWORDS_BEFORE_EXPRESSION = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);
// Character codes.
const LF = 10;
const QUOTE = 34;
const DOLLAR = 36;
const APOSTROPHE = 39;
const STAR = 42;
const SLASH = 47;
const BACKSLASH = 92;
const BACKTICK = 96;
const LBRACE = 123;
const RBRACE = 125;
// ASCII by character code (the hot case), other characters by Unicode class.
const NAME_START_U = /[\p{ID_Start}]/u;
const NAME_PART_U = /[\p{ID_Continue}\u200c\u200d]/u;
const SPACE_U = /\s/;

function isNameStart(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) {
    return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 36 ||
      c === 95;
  }
  return NAME_START_U.test(text[i]);
}

function isNamePart(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return isNameStart(text, i) || (c >= 48 && c <= 57);
  return NAME_PART_U.test(text[i]);
}

function isSpace(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return SPACE_U.test(text[i]);
}

/** The end of the name (or number, or regex flags) whose rest is at `i`. */
function nameEnd(text: string, i: number): number {
  while (i < text.length && isNamePart(text, i)) i++;
  return i;
}

const FENCE_LANGS = ["", "ts", "typescript", "js", "javascript", "tsx", "jsx"];

/** A doc comment example's code, where it starts in the lexed text. */
interface Example {
  readonly code: string;
  readonly offset: number;
}

/** The tokens of `text`, and the code of the examples in its doc comments. */
function lex(text: string): { tokens: Token[]; examples: Example[] } {
  const tokens: Token[] = [];
  const examples: Example[] = [];
  // For each open `{`: whether it opened a template's `${`.
  const braces: boolean[] = [];
  let i = text.startsWith("#!") ? text.indexOf("\n") + 1 || text.length : 0;

  const regexAllowed = (): boolean => {
    const last = tokens.at(-1);
    if (last === undefined) return true;
    if (last.kind === "punct") return !")]}".includes(last.text);
    if (last.kind === "name") return KEYWORDS_BEFORE_EXPRESSION.has(last.text);
    return false;
  };

  /**
   * Reads text from `i` (after its opening quote) to `close`, a code that
   * ends it, or a newline too when `line`; returns the text, escaped
   * characters without their backslash, and leaves `i` on what ended it.
   */
  const quoted = (close: number, line: boolean): string => {
    let out = "";
    let from = i;
    while (i < text.length) {
      const d = text.charCodeAt(i);
      if (d === close || (line && d === LF)) break;
      if (d === BACKSLASH) {
        out += text.slice(from, i) + (text[i + 1] ?? "");
        i += 2;
        from = i;
      } else if (d === DOLLAR && !line && text.charCodeAt(i + 1) === LBRACE) {
        break;
      } else {
        i++;
      }
    }
    return from < i ? out + text.slice(from, Math.min(i, text.length)) : out;
  };

  /** Reads template text from `i` (after "`" or a substitution's "}"). */
  const template = (head: boolean): Token => {
    const offset = i;
    const part = quoted(BACKTICK, false);
    const computed = text.charCodeAt(i) === DOLLAR;
    i += computed ? 2 : 1;
    if (computed) braces.push(true);
    return { kind: "template", text: part, offset, head, computed };
  };

  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || (c >= 9 && c <= 13)) {
      i++;
    } else if (c === SLASH && text.charCodeAt(i + 1) === SLASH) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
    } else if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      const end = text.indexOf("*/", i + 2);
      const body = text.slice(i + 2, end < 0 ? text.length : end);
      if (body.startsWith("*")) examples.push(...fencedCode(body, i + 2));
      i = end < 0 ? text.length : end + 2;
    } else if (c === QUOTE || c === APOSTROPHE) {
      const offset = ++i;
      tokens.push({ kind: "string", text: quoted(c, true), offset });
      i++;
    } else if (c === BACKTICK) {
      i++;
      tokens.push(template(true));
    } else if (c === RBRACE && braces.at(-1) === true) {
      // The end of a substitution: the template goes on.
      braces.pop();
      i++;
      tokens.push(template(false));
    } else if (c === SLASH && regexAllowed()) {
      const start = i++;
      let inClass = false;
      while (i < text.length && text[i] !== "\n") {
        if (text[i] === "\\") i++;
        else if (text[i] === "[") inClass = true;
        else if (text[i] === "]") inClass = false;
        else if (text[i] === "/" && !inClass) break;
        i++;
      }
      // Past the closing `/` (if any), then the flags.
      i = nameEnd(text, Math.min(i + 1, text.length));
      tokens.push({ kind: "regex", text: text.slice(start, i), offset: start });
    } else if (isNameStart(text, i)) {
      const start = i;
      i = nameEnd(text, i + 1);
      tokens.push({ kind: "name", text: text.slice(start, i), offset: start });
    } else if (c >= 48 && c <= 57) {
      // Digits, letters, `_` and `.`: 1_000, 0x1f, 1.5e3, 10n.
      const start = i++;
      while (i < text.length && (isNamePart(text, i) || text[i] === ".")) i++;
      tokens.push({
        kind: "number",
        text: text.slice(start, i),
        offset: start,
      });
    } else if (isSpace(text, i)) {
      i++;
    } else {
      if (c === LBRACE) braces.push(false);
      else if (c === RBRACE) braces.pop();
      tokens.push({ kind: "punct", text: text[i], offset: i });
      i++;
    }
  }
  return { tokens, examples };
}

/**
 * The code of the fenced examples in a doc comment's body, which starts at
 * `offset`. Each line's ` * ` becomes as many spaces, so that an offset in
 * an example's code plus the example's offset is one in the lexed text.
 */
function fencedCode(body: string, offset: number): Example[] {
  const blocks: Example[] = [];
  let inFence = false;
  // The lines of the open fence when it holds code (not JSON, say).
  let block: string[] | null = null;
  let blockOffset = 0;
  let lineOffset = offset;
  for (const raw of body.split("\n")) {
    const prefix = /^\s*\*? ?/.exec(raw)![0].length;
    const line = raw.slice(prefix);
    const fence = /^```\s*(\S*)/.exec(line);
    if (fence === null) block?.push(" ".repeat(prefix) + line);
    else if (inFence) {
      if (block !== null) {
        blocks.push({ code: block.join("\n"), offset: blockOffset });
      }
      inFence = false;
      block = null;
    } else {
      inFence = true;
      block = FENCE_LANGS.includes(fence[1].toLowerCase()) ? [] : null;
      blockOffset = lineOffset + raw.length + 1;
    }
    lineOffset += raw.length + 1;
  }
  return blocks;
}

/** A specifier token's text; a computed template as its head with `${…}`. */
function specifier(t: Token | undefined): string | undefined {
  if (t?.kind === "string") return t.text;
  if (t?.kind === "template" && t.head) {
    return t.computed ? `\`${t.text}\${…}\`` : t.text;
  }
  return undefined;
}

const is = (t: Token | undefined, kind: Token["kind"], text?: string) =>
  t !== undefined && t.kind === kind && (text === undefined || t.text === text);

/** The specifiers imported by `tokens`, in order. */
function importsOfTokens(tokens: Token[]): string[] {
  const out: string[] = [];
  const push = (t: Token | undefined) => {
    const s = specifier(t);
    if (s !== undefined) out.push(s);
  };
  /**
   * After an import or export clause from `j` (names, `,`, `{`, `}`, `*`):
   * the string of its `from`. Anything else ends the clause.
   */
  const fromAfter = (j: number) => {
    for (; j < tokens.length; j++) {
      const t = tokens[j];
      if (is(t, "name", "from") && is(tokens[j + 1], "string")) {
        return push(tokens[j + 1]);
      }
      if (
        t.kind !== "name" && !(t.kind === "punct" && ",{}*".includes(t.text))
      ) {
        return;
      }
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== "name" || is(tokens[i - 1], "punct", ".")) continue;
    const next = tokens[i + 1];
    if (t.text === "import") {
      if (is(next, "punct", "(")) push(tokens[i + 2]);
      else if (is(next, "string")) push(next);
      else if (!is(next, "punct", ".")) fromAfter(i + 1);
    } else if (t.text === "export") {
      let j = i + 1;
      if (is(tokens[j], "name", "type")) j++;
      if (is(tokens[j], "punct", "*")) fromAfter(j + 1);
      else if (is(tokens[j], "punct", "{")) {
        let depth = 0;
        for (; j < tokens.length; j++) {
          if (is(tokens[j], "punct", "{")) depth++;
          else if (is(tokens[j], "punct", "}") && --depth === 0) break;
        }
        if (is(tokens[j + 1], "name", "from")) push(tokens[j + 2]);
      }
    } else if (
      t.text === "new" && is(next, "name", "URL") &&
      is(tokens[i + 2], "punct", "(") && is(tokens[i + 4], "punct", ",") &&
      is(tokens[i + 5], "name", "import") && is(tokens[i + 6], "punct", ".") &&
      is(tokens[i + 7], "name", "meta") && is(tokens[i + 8], "punct", ".") &&
      is(tokens[i + 9], "name", "url")
    ) {
      push(tokens[i + 3]);
    }
  }
  return out;
}

/** What takes the literal `tokens[k]` (see `Literal.before`). */
function before(tokens: Token[], k: number): string {
  const prev = tokens[k - 1];
  if (prev === undefined || is(tokens[k - 2], "punct", ".")) return "";
  if (prev.kind === "name") {
    return prev.text === "from" || prev.text === "import" ? prev.text : "";
  }
  if (!is(prev, "punct", "(")) return "";
  let callee = "";
  for (let j = k - 2; tokens[j]?.kind === "name"; j -= 2) {
    callee = callee === "" ? tokens[j].text : `${tokens[j].text}.${callee}`;
    if (!is(tokens[j - 1], "punct", ".")) break;
  }
  return `${callee}(`;
}

/** The string literals and template parts of `tokens`. */
function literalsOfTokens(tokens: Token[], base: number): Literal[] {
  const out: Literal[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== "string" && t.kind !== "template") continue;
    const head = t.kind === "template" ? t.head : true;
    out.push({
      text: t.text,
      offset: base + t.offset,
      head,
      before: head ? before(tokens, k) : "",
    });
  }
  return out;
}

/**
 * The imports and string literals of a source text (see `SourceText`),
 * from one lexing of it.
 */
export function readSource(text: string): SourceText {
  return read(text, 0);
}

/** `readSource()` of a text that starts at `base` in its source. */
function read(text: string, base: number): SourceText {
  const { tokens, examples } = lex(text);
  const imports = importsOfTokens(tokens).filter((s) => /^`?\.\.?\//.test(s));
  const literals = literalsOfTokens(tokens, base);
  for (const example of examples) {
    const inner = read(example.code, base + example.offset);
    imports.push(...inner.imports);
    literals.push(...inner.literals);
  }
  if (examples.length > 0) literals.sort((a, b) => a.offset - b.offset);
  return { imports, literals };
}

/** The relative specifiers a source text imports (`SourceText.imports`). */
export function importsOf(text: string): string[] {
  return readSource(text).imports;
}

/** The string literals of a source text (`SourceText.literals`). */
export function literalsOf(text: string): Literal[] {
  return readSource(text).literals;
}
