import assert from "node:assert/strict";
import {
  Repository,
  SbsDecodeError,
  SbsEncodeError,
  SbsError,
  SbsSchemaError,
  type SbsValue,
  Writer,
} from "../../codec/mod.ts";
import { fromHex, toHex } from "../_vectors.ts";
import { vectorSchemas } from "./_json_form.ts";

const schemas = await vectorSchemas();
const repo = new Repository(...schemas);

const resolveErrors: [string, string[], RegExp][] = [
  [
    "unknown type",
    ["module M\nX = Record {\n  a: Y\n}"],
    /^M:3:6: unknown type Y in module M$/,
  ],
  ["unknown module", ["module M\nX = N.Y"], /^M:2:5: unknown module N$/],
  [
    "unknown type in module",
    ["module M\nX = N.Z", "module N\nY = None"],
    /^M:2:5: unknown type N\.Z$/,
  ],
  [
    "too few arguments",
    ["module M\nP(A B) = A\nX = P(Integer)"],
    /^M:3:5: P takes 2 type argument\(s\), got 1$/,
  ],
  [
    "too many arguments",
    ["module M\nX = Optional(Integer String)"],
    /Optional takes 1 type argument\(s\), got 2/,
  ],
  [
    "arguments to a plain type",
    ["module M\nA = None\nX = A(Integer)"],
    /A takes 0 type argument\(s\), got 1/,
  ],
  [
    "missing arguments",
    ["module M\nX = Optional"],
    /Optional takes 1 type argument\(s\), got 0/,
  ],
  [
    "arguments to a parameter",
    ["module M\nP(T) = T(Integer)"],
    /type parameter T takes no arguments/,
  ],
  [
    "error inside an unused parametric type",
    ["module M\nP(T) = Array(Q)"],
    /unknown type Q/,
  ],
  [
    "duplicate module",
    ["module M\nX = None", "module M\nY = None"],
    /module M is defined twice/,
  ],
  [
    "alias cycle",
    ["module M\nA = B\nB = A"],
    /defined only in terms of itself/,
  ],
  ["self alias", ["module M\nA = A"], /defined only in terms of itself/],
  ["polymorphic recursion", [
    "module M\nP(T) = Choice { a: T, b: P(Array(T)) }\nX = P(None)",
  ], /nests deeper than 64/],
];

Deno.test("new Repository() resolves every reference when it is built", async (t) => {
  for (const [what, texts, message] of resolveErrors) {
    await t.step(what, () => {
      assert.throws(
        () => new Repository(...texts),
        (e) => e instanceof SbsSchemaError && message.test(e.message),
      );
    });
  }
});

Deno.test("Optional is predefined in every module and can be shadowed", () => {
  const r = new Repository(
    "module A\nX = Optional(Integer)",
    "module B\nOptional(T) = Array(T)\nX = Optional(Integer)",
  );
  assert.equal(toHex(r.encode("A.X", ["value", 1])), "8181");
  assert.equal(toHex(r.encode("B.X", [1])), "8181");
});

Deno.test("parametric types resolve references in their defining module", () => {
  const r = new Repository(
    "module A\nBox(T) = Record { v: T, tag: Tag }\nTag = Integer",
    "module B\nTag = String\nX = A.Box(Tag)",
  );
  assert.equal(toHex(r.encode("B.X", { v: "a", tag: 1 })), "816181");
});

Deno.test("recursive types encode and decode", () => {
  const r = new Repository(
    "module T\nTree = Record { v: Integer, kids: Array(Tree) }\n" +
      "List(T) = Optional(Record { head: T, tail: List(T) })\nL = List(String)",
  );
  const tree = { v: 1, kids: [{ v: 2, kids: [] }, { v: 3, kids: [] }] };
  const bytes = r.encode("T.Tree", tree);
  assert.equal(toHex(bytes), "8182828083 80".replace(" ", ""));
  assert.deepEqual(r.decode("T.Tree", bytes), tree);
  const list = ["value", {
    head: "a",
    tail: ["value", { head: "b", tail: ["none", null] }],
  }];
  assert.deepEqual(r.decode("T.L", r.encode("T.L", list)), list);
});

Deno.test("resolve() gives named nodes and rejects unknown names", () => {
  const t = repo.resolve("Prim.Entries");
  assert.ok(t.kind === "named" && t.type.kind === "array");
  assert.ok(t.type.item.kind === "named");
  assert.equal(t.type.item.name, "Optional(Prim.Entry(String Integer))");
  for (const name of ["Prim", "Prim.Entry", "Nope.X", "Optional", ""]) {
    assert.throws(() => repo.resolve(name), SbsSchemaError);
  }
});

Deno.test("encode() and decode() of an unknown type throw SbsSchemaError naming it", () => {
  assert.throws(
    () => repo.encode("HatEventer.Nope", null),
    (e) =>
      e instanceof SbsSchemaError && e.message.includes('"HatEventer.Nope"'),
  );
  assert.throws(
    () => repo.decode("HatEventer.Nope", new Uint8Array()),
    (e) => e instanceof SbsError && e.message.includes('"HatEventer.Nope"'),
  );
});

const event = {
  id: { server: 1, session: 2, instance: 3 },
  type: ["a", "b"],
  timestamp: { s: 1, us: 2 },
  sourceTimestamp: ["none", null],
  payload: ["value", ["json", "{}"]],
};

function withPath(
  obj: Record<string, unknown>,
  path: string[],
  value: unknown,
): SbsValue {
  const copy = structuredClone(obj);
  let o: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string, unknown>;
  if (value === undefined) delete o[path.at(-1)!];
  else o[path.at(-1)!] = value;
  return copy as SbsValue;
}

const encodeErrors: [string, string, SbsValue, string][] = [
  [
    "string for Integer",
    "HatEventer.Event",
    withPath(event, ["id", "session"], "2"),
    "HatEventer.Event.id.session: expected Integer, got string",
  ],
  [
    "float for Integer",
    "HatEventer.Event",
    withPath(event, ["id", "server"], 1.5),
    "HatEventer.Event.id.server: expected Integer, got non-integer number 1.5",
  ],
  [
    "NaN for Integer",
    "HatEventer.Timestamp",
    { s: NaN, us: 0 },
    "HatEventer.Timestamp.s: expected Integer, got NaN",
  ],
  [
    "unsafe number for Integer",
    "HatEventer.Timestamp",
    { s: 2 ** 53, us: 0 },
    "HatEventer.Timestamp.s: expected Integer, got unsafe integer 9007199254740992 (use a bigint)",
  ],
  [
    "missing entry",
    "HatEventer.Event",
    withPath(event, ["timestamp", "us"], undefined),
    "HatEventer.Event.timestamp.us: missing Record entry",
  ],
  [
    "array element",
    "HatEventer.Event",
    withPath(event, ["type"], ["a", 7]),
    "HatEventer.Event.type[1]: expected String, got number",
  ],
  [
    "lone surrogate",
    "HatEventer.EventType",
    ["ok", "a\ud800"],
    "HatEventer.EventType[1]: expected String, got string with a lone surrogate",
  ],
  [
    "unknown choice name",
    "HatEventer.Event",
    withPath(event, ["payload"], ["some", 1]),
    'HatEventer.Event.payload: unknown Choice entry "some" (expected one of none, value)',
  ],
  [
    "choice value",
    "HatEventer.Event",
    withPath(event, ["payload"], ["value", ["binary", {
      type: "t",
      data: [1],
    }]]),
    "HatEventer.Event.payload.value.binary.data: expected Bytes, got array of length 1",
  ],
  [
    "choice not a pair",
    "HatEventer.Status",
    "standby" as SbsValue,
    "HatEventer.Status: expected Choice ([name, value] with name one of standby, starting, operational, stopping), got string",
  ],
  ["undefined for None", "HatEventer.Status", [
    "standby",
    undefined as unknown as null,
  ], "HatEventer.Status.standby: expected None, got undefined"],
  [
    "record is an array",
    "HatEventer.Timestamp",
    [1, 2],
    "HatEventer.Timestamp: expected Record (a plain object), got array of length 2",
  ],
  ["bigint for Float", "Prim.Flt", 1n, "Prim.Flt: expected Float, got bigint"],
  [
    "number for Boolean",
    "Prim.Bool",
    1,
    "Prim.Bool: expected Boolean, got number",
  ],
  [
    "string for Bytes",
    "Prim.Byt",
    "ab",
    "Prim.Byt: expected Bytes, got string",
  ],
  [
    "not an array",
    "Prim.IntArray",
    { length: 0 },
    "Prim.IntArray: expected Array(Integer), got object",
  ],
  [
    "big choice name",
    "Prim.BigChoice",
    ["c200", null],
    'Prim.BigChoice: unknown Choice entry "c200" (expected one of c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31, c32, c33, c34, c35, c36, c37, c38, c39, c40, c41, c42, c43, c44, c45, c46, c47, c48, c49, c50, c51, c52, c53, c54, c55, c56, c57, c58, c59, c60, c61, c62, c63, c64, c65, c66, c67, c68, c69, c70, c71, c72, c73, c74, c75, c76, c77, c78, c79, c80, c81, c82, c83, c84, c85, c86, c87, c88, c89, c90, c91, c92, c93, c94, c95, c96, c97, c98, c99, c100, c101, c102, c103, c104, c105, c106, c107, c108, c109, c110, c111, c112, c113, c114, c115, c116, c117, c118, c119, c120, c121, c122, c123, c124, c125, c126, c127, c128, c129, c130, c131, c132, c133, c134, c135, c136, c137, c138, c139, c140, c141, c142, c143, c144, c145, c146, c147, c148, c149, c150, c151, c152, c153, c154, c155, c156, c157, c158, c159, c160, c161, c162, c163, c164, c165, c166, c167, c168, c169, c170, c171, c172, c173, c174, c175, c176, c177, c178, c179, c180, c181, c182, c183, c184, c185, c186, c187, c188, c189, c190, c191, c192, c193, c194, c195, c196, c197, c198, c199)',
  ],
];

Deno.test("encode() rejects values that do not fit, naming the path", async (t) => {
  for (const [what, type, value, message] of encodeErrors) {
    await t.step(what, () => {
      assert.throws(
        () => repo.encode(type, value),
        (e) => {
          assert.ok(e instanceof SbsEncodeError, String(e));
          assert.equal(e.message, message);
          return true;
        },
      );
    });
  }
});

Deno.test("encode() still works after a failed encode", () => {
  assert.throws(
    () => repo.encode("Prim.IntArray", [1, 2, "x"]),
    SbsEncodeError,
  );
  assert.equal(toHex(repo.encode("Prim.IntArray", [1])), "8181");
});

Deno.test("encodeInto() leaves the writer as it was when it fails", () => {
  const w = new Writer(2);
  repo.encodeInto("Prim.Int", 5, w);
  assert.throws(
    () => repo.encodeInto("Prim.IntArray", [1, 2, 3, "x"], w),
    SbsEncodeError,
  );
  repo.encodeInto("Prim.Int", 6, w);
  assert.equal(toHex(w.finish()), "8586");
});

Deno.test("encode() rejects a cyclic value of a recursive type", () => {
  const r = new Repository("module T\nTree = Record { kids: Array(Tree) }");
  const a: { kids: unknown[] } = { kids: [] };
  a.kids.push(a);
  assert.throws(
    () => r.encode("T.Tree", a as SbsValue),
    (e) =>
      e instanceof SbsEncodeError && /nest deeper than 512/.test(e.message),
  );
});

Deno.test("encode() lets errors thrown by the value's getters through", () => {
  const boom = new Error("boom");
  const value = Object.defineProperty({ us: 0 }, "s", {
    get() {
      throw boom;
    },
    enumerable: true,
  });
  assert.throws(
    () => repo.encode("HatEventer.Timestamp", value),
    (e) => e === boom,
  );
});

const decodeErrors: [string, string, string, string, string, number][] = [
  [
    "truncated Integer",
    "HatEventer.Event",
    "818200",
    "truncated",
    "HatEventer.Event.id.instance",
    2,
  ],
  [
    "empty input",
    "HatEventer.EventId",
    "",
    "truncated",
    "HatEventer.EventId.server",
    0,
  ],
  [
    "length beyond input",
    "HatEventer.EventType",
    "828161857878",
    "length",
    "HatEventer.EventType[1]",
    3,
  ],
  [
    "count beyond input",
    "HatEventer.EventType",
    "8a8161",
    "length",
    "HatEventer.EventType",
    0,
  ],
  [
    "negative count",
    "HatEventer.EventType",
    "ff",
    "length",
    "HatEventer.EventType",
    0,
  ],
  [
    "unknown choice",
    "HatEventer.Status",
    "84",
    "choice",
    "HatEventer.Status",
    0,
  ],
  [
    "negative choice",
    "HatEventer.MsgInitRes",
    "ff",
    "choice",
    "HatEventer.MsgInitRes",
    0,
  ],
  [
    "choice in a nested optional",
    "HatEventer.QueryLatestParams",
    "82",
    "choice",
    "HatEventer.QueryLatestParams.eventTypes",
    0,
  ],
  [
    "invalid UTF-8",
    "HatChatter.Data",
    "82c3288180",
    "utf8",
    "HatChatter.Data.type",
    1,
  ],
  ["truncated Float", "Prim.Flt", "3ff0", "truncated", "Prim.Flt", 0],
  [
    "trailing bytes",
    "HatEventer.Timestamp",
    "818181",
    "trailing",
    "HatEventer.Timestamp",
    2,
  ],
  ["bytes after None", "Prim.Nil", "00", "trailing", "Prim.Nil", 0],
  [
    "big count as bigint",
    "Prim.IntArray",
    "010000000000000080",
    "length",
    "Prim.IntArray",
    0,
  ],
  [
    "BigChoice index 200",
    "Prim.BigChoice",
    "01c8",
    "choice",
    "Prim.BigChoice",
    0,
  ],
];

Deno.test("decode() rejects malformed input with the path and offset", async (t) => {
  for (const [what, type, hex, reason, path, offset] of decodeErrors) {
    await t.step(what, () => {
      assert.throws(
        () => repo.decode(type, fromHex(hex)),
        (e) => {
          assert.ok(e instanceof SbsDecodeError, String(e));
          assert.deepEqual(
            [e.reason, e.path, e.offset],
            [reason, path, offset],
            e.message,
          );
          assert.ok(
            e.message.startsWith(`Cannot decode ${path} at byte ${offset}: `),
          );
          return true;
        },
      );
    });
  }
});

Deno.test("decode() bounds zero-byte items and recursion depth", () => {
  const r = new Repository(
    "module Z\nNones = Array(None)\nNested = Array(Array(None))\n" +
      "Deep = Choice { leaf: None, node: Deep }",
  );
  const count = (n: number) => {
    const w = new Writer();
    w.uint(n);
    return toHex(w.finish());
  };
  const ok = r.decode("Z.Nones", fromHex(count(65536))) as unknown[];
  assert.equal(ok.length, 65536);
  assert.throws(
    () => r.decode("Z.Nones", fromHex(count(65537))),
    (e) => e instanceof SbsDecodeError && e.reason === "limit",
  );
  // 2 x 40000 empty items across two inner arrays exceed one decode's budget.
  assert.throws(
    () => r.decode("Z.Nested", fromHex("82" + count(40000).repeat(2))),
    (e) =>
      e instanceof SbsDecodeError && e.reason === "limit" &&
      e.path === "Z.Nested[1]",
  );
  const deep = (n: number) => fromHex("81".repeat(n) + "80");
  assert.equal(JSON.stringify(r.decode("Z.Deep", deep(500))).length > 0, true);
  assert.throws(
    () => r.decode("Z.Deep", deep(100000)),
    (e) => e instanceof SbsDecodeError && e.reason === "limit",
  );
});

Deno.test("decode() rejects a type with no finite value without allocating", () => {
  const r = new Repository(
    "module U\nInf = Record { x: Inf }\nA = Array(Inf)\nNo = Choice {}\nB = Array(No)",
  );
  for (
    const [type, hex] of [["U.Inf", ""], ["U.A", "81"], ["U.B", "81"], [
      "U.No",
      "80",
    ]]
  ) {
    assert.throws(() => r.decode(type, fromHex(hex)), SbsDecodeError);
  }
  assert.deepEqual(r.decode("U.A", fromHex("80")), []);
});

Deno.test("decode() rejects a non-Uint8Array with TypeError", () => {
  assert.throws(
    () => repo.decode("Prim.Int", [0x80] as unknown as Uint8Array),
    TypeError,
  );
});

Deno.test("decode() copies Bytes out of the input", () => {
  const input = fromHex("82abcd");
  const out = repo.decode("Prim.Byt", input) as Uint8Array;
  input[1] = 0;
  assert.equal(toHex(out), "abcd");
});
