// The imports of a TypeScript/JavaScript source, for tools/check_layers.ts:
// a small lexer (comments, strings, template literals, regular expressions)
// so that nothing inside them is read as an import and nothing around an
// import hides it, then the import forms read from the tokens. The code of
// a doc comment's examples (```ts fences, run by `deno test --doc`) is
// read as well: an example is what a reader copies.

type Token =
  | { kind: "name" | "punct" | "number" | "regex"; text: string }
  | { kind: "string"; text: string }
  /** `text` is the template up to its first `${` when `computed`. */
  | { kind: "template"; text: string; computed: boolean };

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

/** The tokens of `text`, and the code of the examples in its doc comments. */
function lex(text: string): { tokens: Token[]; examples: string[] } {
  const tokens: Token[] = [];
  const examples: string[] = [];
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

  /** Reads template text from `i` (after "`" or a substitution's "}"). */
  const template = (): { text: string; computed: boolean } => {
    let out = "";
    while (i < text.length) {
      const c = text[i];
      if (c === "\\") {
        out += text[i + 1] ?? "";
        i += 2;
      } else if (c === "`") {
        i++;
        return { text: out, computed: false };
      } else if (c === "$" && text[i + 1] === "{") {
        i += 2;
        braces.push(true);
        return { text: out, computed: true };
      } else {
        out += c;
        i++;
      }
    }
    return { text: out, computed: false };
  };

  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      const body = text.slice(i + 2, end < 0 ? text.length : end);
      if (body.startsWith("*")) examples.push(...fencedCode(body));
      i = end < 0 ? text.length : end + 2;
    } else if (c === '"' || c === "'") {
      let out = "";
      i++;
      while (i < text.length && text[i] !== c && text[i] !== "\n") {
        if (text[i] === "\\") i++;
        out += text[i] ?? "";
        i++;
      }
      i++;
      tokens.push({ kind: "string", text: out });
    } else if (c === "`") {
      i++;
      tokens.push({ kind: "template", ...template() });
    } else if (c === "}" && braces.length > 0 && braces.at(-1) === true) {
      // The end of a substitution: the template goes on (its rest is not
      // a specifier the check could read).
      braces.pop();
      i++;
      template();
    } else if (c === "/" && regexAllowed()) {
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
      tokens.push({ kind: "regex", text: text.slice(start, i) });
    } else if (isNameStart(text, i)) {
      const start = i;
      i = nameEnd(text, i + 1);
      tokens.push({ kind: "name", text: text.slice(start, i) });
    } else if (c >= "0" && c <= "9") {
      // Digits, letters, `_` and `.`: 1_000, 0x1f, 1.5e3, 10n.
      const start = i++;
      while (i < text.length && (isNamePart(text, i) || text[i] === ".")) i++;
      tokens.push({ kind: "number", text: text.slice(start, i) });
    } else if (isSpace(text, i)) {
      i++;
    } else {
      if (c === "{") braces.push(false);
      else if (c === "}") braces.pop();
      tokens.push({ kind: "punct", text: c });
      i++;
    }
  }
  return { tokens, examples };
}

/** The code of the fenced examples in a doc comment's body. */
function fencedCode(body: string): string[] {
  const lines = body.split("\n").map((l) => l.replace(/^\s*\*? ?/, ""));
  const blocks: string[] = [];
  let inFence = false;
  // The lines of the open fence when it holds code (not JSON, say).
  let block: string[] | null = null;
  for (const line of lines) {
    const fence = /^```\s*(\S*)/.exec(line);
    if (fence === null) block?.push(line);
    else if (inFence) {
      if (block !== null) blocks.push(block.join("\n"));
      inFence = false;
      block = null;
    } else {
      inFence = true;
      block = FENCE_LANGS.includes(fence[1].toLowerCase()) ? [] : null;
    }
  }
  return blocks;
}

/** A specifier token's text; a computed template as its head with `${…}`. */
function specifier(t: Token | undefined): string | undefined {
  if (t?.kind === "string") return t.text;
  if (t?.kind === "template") {
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

/**
 * The relative specifiers a source text imports, in order: static imports
 * and re-exports (type-only too), side-effect and dynamic imports, the
 * `new URL("…", import.meta.url)` of a worker or a Wasm file, and those of
 * the examples in its doc comments. A template literal with substitutions
 * whose text starts relative is returned as its head and `${…}` in
 * backticks: the check cannot follow it.
 */
export function importsOf(text: string): string[] {
  const { tokens, examples } = lex(text);
  const all = [...importsOfTokens(tokens), ...examples.flatMap(importsOf)];
  return all.filter((s) => /^`?\.\.?\//.test(s));
}
