/**
 * The parser of SBS schema texts (`tests/testdata/spec/PROTOCOL.md` §1):
 * a module header, then type definitions `Name(Params) = Type`.
 *
 * @module
 */

import type { SbsEntry, SbsModule, SbsType, SbsTypeDef } from "./ast.ts";
import { SbsSchemaError } from "./errors.ts";

/** Names of the built-in types; they cannot be defined or used as parameters. */
export const BUILTIN_TYPES: readonly string[] = [
  "None",
  "Boolean",
  "Integer",
  "Float",
  "String",
  "Bytes",
  "Array",
  "Record",
  "Choice",
];

/** Deepest nesting of type expressions a schema may have. */
export const MAX_SCHEMA_NESTING = 128;

const SIMPLE: Record<string, SbsType> = {
  None: { kind: "none" },
  Boolean: { kind: "boolean" },
  Integer: { kind: "integer" },
  Float: { kind: "float" },
  String: { kind: "string" },
  Bytes: { kind: "bytes" },
};

/**
 * Parses one SBS schema text into its module.
 *
 * Whitespace is space, tab, CR, LF and comma; `#` starts a comment to the end
 * of the line; identifiers match `[A-Za-z][A-Za-z0-9_]*`. References are not
 * resolved here: a {@linkcode Repository} does that.
 *
 * @param text The schema text.
 * @param source File name for error messages; defaults to the module name.
 * @returns The parsed module.
 * @throws {SbsSchemaError} When the text does not follow the grammar; the
 * error names the source, line, column and what was expected.
 *
 * @example
 * ```ts
 * import { parseSchema, SbsSchemaError } from "@hat/eventer/codec";
 * import assert from "node:assert/strict";
 *
 * const m = parseSchema("module M\nPair(A, B) = Record { a: A, b: B }\n");
 * assert.equal(m.name, "M");
 * assert.deepEqual(m.types.get("Pair")?.params, ["A", "B"]);
 *
 * assert.throws(
 *   () => parseSchema("module M\nX Integer", "m.sbs"),
 *   (e) => e instanceof SbsSchemaError && e.line === 2 && e.column === 3,
 * );
 * ```
 */
export function parseSchema(text: string, source?: string): SbsModule {
  return new Parser(text, source).module();
}

function isSpace(c: number): boolean {
  // space, tab, LF, CR, comma
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x2c;
}

function isIdentStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

class Parser {
  #text: string;
  #source: string | undefined;
  #pos = 0;
  #line = 1;
  #lineStart = 0;
  #depth = 0;

  constructor(text: string, source: string | undefined) {
    if (typeof text !== "string") {
      throw new SbsSchemaError(`schema text must be a string`, { source });
    }
    this.#text = text;
    this.#source = source;
  }

  module(): SbsModule {
    this.#space();
    const kw = this.#peekIdent();
    if (kw !== "module") this.#expected("'module' header");
    this.#ident("'module'");
    if (!this.#space()) this.#expected("whitespace after 'module'");
    const name = this.#ident("module name");
    this.#source ??= name;
    const types = new Map<string, SbsTypeDef>();
    for (;;) {
      const sep = this.#space();
      if (this.#pos >= this.#text.length) break;
      if (!sep) this.#expected("whitespace or a new line before a definition");
      const def = this.#definition();
      if (types.has(def.name)) {
        this.#fail(`type ${def.name} is defined twice`, def.pos);
      }
      types.set(def.name, def);
    }
    return { name, types, source: this.#source };
  }

  #definition(): SbsTypeDef {
    const pos = this.#where();
    const name = this.#ident("type name");
    if (BUILTIN_TYPES.includes(name)) {
      this.#fail(`cannot redefine built-in type ${name}`, pos);
    }
    this.#space();
    const params: string[] = [];
    if (this.#peek() === 0x28) { // (
      this.#pos++;
      this.#space();
      for (;;) {
        const ppos = this.#where();
        const p = this.#ident("type parameter name");
        if (BUILTIN_TYPES.includes(p)) {
          this.#fail(`built-in type ${p} cannot be a type parameter`, ppos);
        }
        if (params.includes(p)) {
          this.#fail(`type parameter ${p} is repeated`, ppos);
        }
        params.push(p);
        this.#space();
        if (this.#peek() === 0x29) break; // )
        if (!isIdentStart(this.#peek())) {
          this.#expected("type parameter name or ')'");
        }
      }
      this.#pos++;
      this.#space();
    }
    if (this.#peek() !== 0x3d) this.#expected(`'=' after ${name}`); // =
    this.#pos++;
    this.#space();
    const type = this.#type();
    return { name, params, type, pos };
  }

  #type(): SbsType {
    if (++this.#depth > MAX_SCHEMA_NESTING) {
      this.#fail(`types nest deeper than ${MAX_SCHEMA_NESTING} levels`);
    }
    const pos = this.#where();
    const first = this.#ident("a type");
    let result: SbsType;
    if (this.#peek() === 0x2e) { // .
      this.#pos++;
      const name = this.#ident("type name after '.'");
      result = this.#ref(first, name, pos);
    } else if (first in SIMPLE) {
      result = SIMPLE[first];
    } else if (first === "Array") {
      this.#space();
      this.#expect(0x28, "'(' after Array");
      this.#space();
      const item = this.#type();
      this.#space();
      this.#expect(0x29, "')' closing Array(");
      result = { kind: "array", item };
    } else if (first === "Record" || first === "Choice") {
      result = {
        kind: first === "Record" ? "record" : "choice",
        entries: this.#entries(first),
      };
    } else {
      result = this.#ref(undefined, first, pos);
    }
    this.#depth--;
    return result;
  }

  #entries(what: string): SbsEntry[] {
    this.#space();
    this.#expect(0x7b, `'{' after ${what}`); // {
    const entries: SbsEntry[] = [];
    for (;;) {
      this.#space();
      if (this.#peek() === 0x7d) break; // }
      const pos = this.#where();
      if (!isIdentStart(this.#peek())) {
        this.#expected(`entry name or '}' in ${what}`);
      }
      const name = this.#ident("entry name");
      if (entries.some((e) => e.name === name)) {
        this.#fail(`entry ${name} is repeated in ${what}`, pos);
      }
      this.#space();
      this.#expect(0x3a, `':' after entry name ${name}`); // :
      this.#space();
      entries.push({ name, type: this.#type() });
      const c = this.#peek();
      if (c !== 0x7d && !isSpace(c) && c !== 0x23) {
        this.#expected(`whitespace or '}' after entry ${name}`);
      }
    }
    this.#pos++;
    return entries;
  }

  #ref(
    module: string | undefined,
    name: string,
    pos: { line: number; column: number },
  ): SbsType {
    // Arguments may follow after optional whitespace: look ahead for '('.
    const save = [this.#pos, this.#line, this.#lineStart];
    this.#space();
    const args: SbsType[] = [];
    if (this.#peek() === 0x28) {
      this.#pos++;
      this.#space();
      for (;;) {
        args.push(this.#type());
        this.#space();
        if (this.#peek() === 0x29) break;
        if (!isIdentStart(this.#peek())) this.#expected("a type or ')'");
      }
      this.#pos++;
    } else {
      [this.#pos, this.#line, this.#lineStart] = save;
    }
    return { kind: "ref", module, name, args, pos };
  }

  /** Skips whitespace and comments; returns whether anything was skipped. */
  #space(): boolean {
    const text = this.#text;
    const start = this.#pos;
    let p = this.#pos;
    while (p < text.length) {
      const c = text.charCodeAt(p);
      if (c === 0x0a || (c === 0x0d && text.charCodeAt(p + 1) !== 0x0a)) {
        p++;
        this.#line++;
        this.#lineStart = p;
      } else if (isSpace(c)) {
        p++;
      } else if (c === 0x23) { // # comment to the end of the line
        while (
          p < text.length && text.charCodeAt(p) !== 0x0a &&
          text.charCodeAt(p) !== 0x0d
        ) p++;
      } else {
        break;
      }
    }
    this.#pos = p;
    return p > start;
  }

  #peek(): number {
    return this.#pos < this.#text.length
      ? this.#text.charCodeAt(this.#pos)
      : -1;
  }

  #peekIdent(): string {
    const text = this.#text;
    let p = this.#pos;
    if (!isIdentStart(this.#peek())) return "";
    while (p < text.length && isIdentPart(text.charCodeAt(p))) p++;
    return text.slice(this.#pos, p);
  }

  #ident(what: string): string {
    const id = this.#peekIdent();
    if (id === "") this.#expected(what);
    this.#pos += id.length;
    return id;
  }

  #expect(c: number, what: string): void {
    if (this.#peek() !== c) this.#expected(what);
    this.#pos++;
  }

  #where(): { line: number; column: number } {
    return { line: this.#line, column: this.#pos - this.#lineStart + 1 };
  }

  #expected(what: string): never {
    const found = this.#pos >= this.#text.length
      ? "end of input"
      : isIdentStart(this.#peek())
      ? `'${this.#peekIdent()}'`
      : JSON.stringify(this.#text[this.#pos]);
    this.#fail(`expected ${what}, found ${found}`);
  }

  #fail(message: string, at = this.#where()): never {
    throw new SbsSchemaError(message, {
      source: this.#source ?? "<schema>",
      line: at.line,
      column: at.column,
    });
  }
}
