// Hand-built ResolvedType graphs of a few schema types, for tests that do
// not need a Repository.

import type { ResolvedNamed, ResolvedType } from "../../codec/ast.ts";

const none: ResolvedType = { kind: "none" };
const boolean: ResolvedType = { kind: "boolean" };
const integer: ResolvedType = { kind: "integer" };
const string: ResolvedType = { kind: "string" };
const bytes: ResolvedType = { kind: "bytes" };

function named(name: string, type: ResolvedType): ResolvedNamed {
  return { kind: "named", name, type };
}
function record(entries: Record<string, ResolvedType>): ResolvedType {
  return {
    kind: "record",
    entries: Object.entries(entries).map(([name, type]) => ({ name, type })),
  };
}
function choice(entries: Record<string, ResolvedType>): ResolvedType {
  return {
    kind: "choice",
    entries: Object.entries(entries).map(([name, type]) => ({ name, type })),
  };
}
function array(item: ResolvedType): ResolvedType {
  return { kind: "array", item };
}
function optional(t: ResolvedType, name: string): ResolvedNamed {
  return named(`Optional(${name})`, choice({ none, value: t }));
}

const timestamp = named(
  "HatEventer.Timestamp",
  record({ s: integer, us: integer }),
);
const eventId = named(
  "HatEventer.EventId",
  record({ server: integer, session: integer, instance: integer }),
);
const eventType = named("HatEventer.EventType", array(string));
const payload = named(
  "HatEventer.EventPayload",
  choice({
    binary: named(
      "HatEventer.EventPayloadBinary",
      record({ type: string, data: bytes }),
    ),
    json: named("HatEventer.EventPayloadJson", string),
  }),
);
const event = named(
  "HatEventer.Event",
  record({
    id: eventId,
    type: eventType,
    timestamp,
    sourceTimestamp: optional(timestamp, "HatEventer.Timestamp"),
    payload: optional(payload, "HatEventer.EventPayload"),
  }),
);

/** Graphs by `Module.Type`. */
export const GRAPHS: Record<string, ResolvedType> = {
  "HatEventer.Timestamp": timestamp,
  "HatEventer.EventId": eventId,
  "HatEventer.EventType": eventType,
  "HatEventer.EventPayload": payload,
  "HatEventer.Event": event,
  "HatEventer.MsgEventsNotify": named(
    "HatEventer.MsgEventsNotify",
    array(event),
  ),
  "HatChatter.Msg": named(
    "HatChatter.Msg",
    record({
      id: integer,
      first: integer,
      owner: boolean,
      token: boolean,
      last: boolean,
      data: named("HatChatter.Data", record({ type: string, data: bytes })),
    }),
  ),
  "Prim.Int": named("Prim.Int", integer),
  "Prim.Flt": named("Prim.Flt", { kind: "float" }),
  "Prim.Str": named("Prim.Str", string),
  "Prim.Byt": named("Prim.Byt", bytes),
  "Prim.Bool": named("Prim.Bool", boolean),
  "Prim.Nil": named("Prim.Nil", none),
  "Prim.IntArray": named("Prim.IntArray", array(integer)),
  "Prim.NestedArray": named("Prim.NestedArray", array(array(string))),
};

/** A type source over GRAPHS. */
export const graphTypes = {
  resolve(type: string): ResolvedType {
    const t = GRAPHS[type];
    if (t === undefined) throw new RangeError(`no graph for ${type}`);
    return t;
  },
};
