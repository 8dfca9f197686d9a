// The string literals of a TypeScript or JavaScript source, found by a
// small lexer that knows comments, strings, template literals (with nested
// `${}`) and regular expression literals, so that tools/check_layers.ts
// sees what code says and not what comments or regexes happen to contain.
// It is no parser: a division directly after `)` or `]` counts as one, and
// a regex literal after them is read as division (neither occurs in our
// sources in a way that hides a path).

/** One string literal, or one static part of a template literal. */
export interface Literal {
  /** The text between the quotes, escapes left as written. */
  readonly text: string;
  /** Where the text starts in the source (after the quote, `` ` `` or `}`). */
  readonly offset: number;
  /** A plain string, or the first part of a template (before any `${`). */
  readonly head: boolean;
}

/** Words after which a `/` starts a regular expression, not a division. */
const REGEX_AFTER_WORD = new Set([
  "return",
  "typeof",
  "instanceof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "yield",
  "await",
]);

const WORD = /[\w$]/;
/** The last token was a value (a string, template or regex literal). */
const VALUE = "'";

/** The string literals of `source`, in order. */
export function literalsOf(source: string): Literal[] {
  const out: Literal[] = [];
  // Brace depth of the code inside each open `${` of a template.
  const templates: number[] = [];
  // The last token of code: a punctuator, a word, or "" at the start.
  let last = "";
  let i = 0;
  const n = source.length;

  // Reads a template's static text from i (after "`" or "}") to its end
  // or its next "${"; returns true when the template ended.
  const templatePart = (head: boolean): boolean => {
    const start = i;
    while (i < n) {
      const c = source[i];
      if (c === "\\") {
        i += 2;
      } else if (c === "`") {
        out.push({ text: source.slice(start, i), offset: start, head });
        i++;
        return true;
      } else if (c === "$" && source[i + 1] === "{") {
        out.push({ text: source.slice(start, i), offset: start, head });
        i += 2;
        return false;
      } else {
        i++;
      }
    }
    out.push({ text: source.slice(start), offset: start, head });
    return true;
  };

  while (i < n) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "/" && source[i + 1] === "/") {
      const end = source.indexOf("\n", i);
      i = end < 0 ? n : end;
    } else if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '"' || c === "'") {
      const start = i++;
      while (i < n && source[i] !== c && source[i] !== "\n") {
        i += source[i] === "\\" ? 2 : 1;
      }
      out.push({
        text: source.slice(start + 1, i),
        offset: start + 1,
        head: true,
      });
      i++;
      last = VALUE;
    } else if (c === "`") {
      i++;
      if (!templatePart(true)) templates.push(0);
      last = VALUE;
    } else if (c === "/" && startsRegex(last)) {
      i++;
      let inClass = false;
      while (i < n && source[i] !== "\n") {
        const r = source[i];
        if (r === "\\") i++;
        else if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        i++;
      }
      i++;
      while (i < n && WORD.test(source[i])) i++;
      last = VALUE;
    } else if (WORD.test(c)) {
      const start = i;
      while (i < n && WORD.test(source[i])) i++;
      last = source.slice(start, i);
    } else {
      i++;
      last = c;
      if (templates.length > 0) {
        if (c === "{") {
          templates[templates.length - 1]++;
        } else if (c === "}") {
          if (templates[templates.length - 1] === 0) {
            templates.pop();
            if (!templatePart(false)) templates.push(0);
            last = VALUE;
          } else {
            templates[templates.length - 1]--;
          }
        }
      }
    }
  }
  return out;
}

function startsRegex(last: string): boolean {
  if (last === "") return true;
  if (WORD.test(last[0])) return REGEX_AFTER_WORD.has(last);
  if (last === VALUE) return false;
  return last !== ")" && last !== "]" && last !== "}";
}
