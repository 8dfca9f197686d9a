import assert from "node:assert/strict";
import { parseSchema, SbsSchemaError } from "../../codec/mod.ts";
import { readText, SPEC_DIR, VECTORS_DIR } from "../_vectors.ts";

Deno.test("parseSchema() parses the protocol schemas", async () => {
  const eventer = parseSchema(
    await readText(new URL("eventer.sbs", SPEC_DIR)),
    "eventer.sbs",
  );
  assert.equal(eventer.name, "HatEventer");
  assert.equal(eventer.source, "eventer.sbs");
  assert.ok(eventer.types.has("QueryTimeseriesParams"));
  const event = eventer.types.get("Event")!;
  assert.equal(event.type.kind, "record");
  const prim = parseSchema(
    await readText(new URL("primitives.sbs", VECTORS_DIR)),
  );
  assert.equal(prim.source, "Prim");
  assert.deepEqual(prim.types.get("Entry")!.params, ["K", "V"]);
});

Deno.test("parseSchema() reads every construct of the grammar", () => {
  const m = parseSchema(
    "# leading comment\r\n" +
      "module  M # trailing comment\n" +
      "A=Integer\n" +
      "B(X Y)=Record{x:X,y:Array(Y)}# no spaces needed\n" +
      "C = Choice {}\n" +
      "D = Other.T(Integer, Optional (String))\n" +
      "E = Record {\n\tnone: None, b: Boolean f: Float s: String, y: Bytes\n}\n" +
      "F_1 = B(A C)",
  );
  assert.deepEqual([...m.types.keys()], ["A", "B", "C", "D", "E", "F_1"]);
  assert.deepEqual(m.types.get("A")!.type, { kind: "integer" });
  assert.deepEqual(m.types.get("B")!.params, ["X", "Y"]);
  assert.deepEqual(m.types.get("C")!.type, { kind: "choice", entries: [] });
  const d = m.types.get("D")!.type;
  assert.ok(d.kind === "ref");
  assert.equal(d.module, "Other");
  assert.equal(d.name, "T");
  assert.deepEqual(d.pos, { line: 6, column: 5 });
  assert.equal(d.args.length, 2);
  assert.deepEqual(d.args[0], { kind: "integer" });
  const opt = d.args[1];
  assert.ok(
    opt.kind === "ref" && opt.name === "Optional" && opt.args.length === 1,
  );
  const e = m.types.get("E")!.type;
  assert.ok(e.kind === "record");
  assert.deepEqual(e.entries.map((x) => x.type.kind), [
    "none",
    "boolean",
    "float",
    "string",
    "bytes",
  ]);
  assert.deepEqual(m.types.get("E")!.pos, { line: 7, column: 1 });
});

const bad: [string, string, number, number, RegExp][] = [
  ["empty text", "", 1, 1, /expected 'module' header, found end of input/],
  ["no header", "X = Integer", 1, 1, /expected 'module' header, found 'X'/],
  ["no module name", "module 1", 1, 8, /expected module name/],
  [
    "missing =",
    "module M\nX Integer",
    2,
    3,
    /expected '=' after X, found 'Integer'/,
  ],
  [
    "missing type",
    "module M\nX =",
    2,
    4,
    /expected a type, found end of input/,
  ],
  ["bad identifier", "module M\nX = _a", 2, 5, /expected a type, found "_"/],
  [
    "Array without (",
    "module M\nX = Array Integer",
    2,
    11,
    /expected '\(' after Array/,
  ],
  [
    "unclosed Array",
    "module M\nX = Array(Integer",
    2,
    18,
    /expected '\)' closing Array/,
  ],
  [
    "unclosed Record",
    "module M\nX = Record {\n  a: Integer\n",
    4,
    1,
    /expected entry name or '}' in Record, found end of input/,
  ],
  [
    "entry without colon",
    "module M\nX = Record { a Integer }",
    2,
    16,
    /expected ':' after entry name a/,
  ],
  [
    "entries not separated",
    "module M\nX = Record { a: Integer}b: None }",
    2,
    25,
    /found 'b'/,
  ],
  [
    "repeated entry",
    "module M\nX = Choice { a: None\n a: None }",
    3,
    2,
    /entry a is repeated in Choice/,
  ],
  [
    "repeated type",
    "module M\nX = None\nX = None",
    3,
    1,
    /type X is defined twice/,
  ],
  [
    "built-in redefined",
    "module M\nInteger = None",
    2,
    1,
    /cannot redefine built-in type Integer/,
  ],
  [
    "built-in parameter",
    "module M\nX(String) = None",
    2,
    3,
    /built-in type String cannot be a type parameter/,
  ],
  [
    "repeated parameter",
    "module M\nX(A A) = A",
    2,
    5,
    /type parameter A is repeated/,
  ],
  [
    "empty parameter list",
    "module M\nX() = None",
    2,
    3,
    /expected type parameter name/,
  ],
  [
    "unclosed arguments",
    "module M\nX = Y(Integer",
    2,
    14,
    /expected a type or '\)'/,
  ],
  [
    "bad character after module name",
    "module M;",
    1,
    9,
    /expected whitespace or a new line before a definition, found ";"/,
  ],
  [
    "qualified name without type",
    "module M\nX = A.",
    2,
    7,
    /expected type name after '.'/,
  ],
];

Deno.test("parseSchema() reports where and what it expected", async (t) => {
  for (const [what, text, line, column, message] of bad) {
    await t.step(what, () => {
      assert.throws(
        () => parseSchema(text, "bad.sbs"),
        (e) => {
          assert.ok(e instanceof SbsSchemaError, String(e));
          assert.equal(e.source, "bad.sbs");
          assert.deepEqual([e.line, e.column], [line, column], e.message);
          assert.match(e.message, message);
          assert.match(e.message, new RegExp(`^bad\\.sbs:${line}:${column}: `));
          return true;
        },
      );
    });
  }
});

Deno.test("parseSchema() names the module in errors when no source is given", () => {
  assert.throws(
    () => parseSchema("module M\nX = "),
    (e) => e instanceof SbsSchemaError && e.message.startsWith("M:2:5: "),
  );
});

Deno.test("parseSchema() bounds how deep types nest", () => {
  const deep = "module M\nX = " + "Array(".repeat(10000) + "None" +
    ")".repeat(10000);
  assert.throws(
    () => parseSchema(deep),
    (e) => e instanceof SbsSchemaError && /nest deeper/.test(e.message),
  );
  const ok = "module M\nX = " + "Array(".repeat(100) + "None" + ")".repeat(100);
  assert.equal(parseSchema(ok).types.size, 1);
});

Deno.test("parseSchema() rejects a non-string text with SbsSchemaError", () => {
  assert.throws(
    () => parseSchema(42 as unknown as string),
    SbsSchemaError,
  );
});
