// Resolution of parsed modules into the ResolvedType graph: every reference
// is checked when the repository is built; parametric types are instantiated
// once per distinct argument list; recursion goes through `named` nodes.

import type {
  ResolvedEntry,
  ResolvedNamed,
  ResolvedType,
  SbsModule,
  SbsType,
  SbsTypeDef,
  SourcePos,
} from "./ast.ts";
import { SbsSchemaError } from "./errors.ts";

/** Deepest chain of parametric instantiations (guards polymorphic recursion). */
const MAX_INSTANTIATION_DEPTH = 64;

const BUILTIN: Record<string, ResolvedType> = {
  none: { kind: "none" },
  boolean: { kind: "boolean" },
  integer: { kind: "integer" },
  float: { kind: "float" },
  string: { kind: "string" },
  bytes: { kind: "bytes" },
};

const OPTIONAL_POS: SourcePos = { line: 1, column: 1 };

/** `Optional(T) = Choice { none: None, value: T }`, usable in every module. */
const OPTIONAL: SbsTypeDef = {
  name: "Optional",
  params: ["T"],
  type: {
    kind: "choice",
    entries: [
      { name: "none", type: { kind: "none" } },
      {
        name: "value",
        type: {
          kind: "ref",
          module: undefined,
          name: "T",
          args: [],
          pos: OPTIONAL_POS,
        },
      },
    ],
  },
  pos: OPTIONAL_POS,
};

interface Scope {
  module: SbsModule | undefined; // undefined for the predefined Optional
  env: ReadonlyMap<string, ResolvedType>;
  depth: number;
}

/** Short display name of a resolved type, used to name instances. */
export function typeName(t: ResolvedType): string {
  switch (t.kind) {
    case "named":
      return t.name;
    case "array":
      return `Array(${typeName(t.item)})`;
    case "record":
    case "choice": {
      const kw = t.kind === "record" ? "Record" : "Choice";
      const es = t.entries.map((e) => `${e.name}: ${typeName(e.type)}`);
      return `${kw} { ${es.join(", ")} }`;
    }
    default:
      return t.kind[0].toUpperCase() + t.kind.slice(1);
  }
}

/** Resolves modules; `named` gives the node of each `Module.Type`. */
export class Resolver {
  readonly modules = new Map<string, SbsModule>();
  readonly named = new Map<string, ResolvedNamed>();

  constructor(modules: Iterable<SbsModule>) {
    for (const m of modules) {
      if (this.modules.has(m.name)) {
        throw new SbsSchemaError(`module ${m.name} is defined twice`, {
          source: m.source,
        });
      }
      this.modules.set(m.name, m);
    }
    // Check every definition, parametric ones too, before instantiating.
    for (const m of this.modules.values()) {
      for (const def of m.types.values()) {
        const scope = new Set(def.params);
        this.#check(def.type, m, scope);
      }
    }
    for (const m of this.modules.values()) {
      for (const def of m.types.values()) {
        if (def.params.length === 0) this.#instance(m, def, [], 0);
      }
    }
    for (const node of this.named.values()) this.#checkProductive(node);
  }

  #fail(m: SbsModule, pos: SourcePos, message: string): never {
    throw new SbsSchemaError(message, {
      source: m.source,
      line: pos.line,
      column: pos.column,
    });
  }

  #lookup(
    t: Extract<SbsType, { kind: "ref" }>,
    from: SbsModule,
  ): [SbsModule | undefined, SbsTypeDef] {
    if (t.module !== undefined) {
      const m = this.modules.get(t.module);
      if (m === undefined) {
        this.#fail(from, t.pos, `unknown module ${t.module}`);
      }
      const def = m.types.get(t.name);
      if (def === undefined) {
        this.#fail(from, t.pos, `unknown type ${t.module}.${t.name}`);
      }
      return [m, def];
    }
    const def = from.types.get(t.name);
    if (def !== undefined) return [from, def];
    if (t.name === "Optional") return [undefined, OPTIONAL];
    this.#fail(from, t.pos, `unknown type ${t.name} in module ${from.name}`);
  }

  #check(t: SbsType, m: SbsModule, params: ReadonlySet<string>): void {
    switch (t.kind) {
      case "array":
        this.#check(t.item, m, params);
        return;
      case "record":
      case "choice":
        for (const e of t.entries) this.#check(e.type, m, params);
        return;
      case "ref": {
        if (t.module === undefined && params.has(t.name)) {
          if (t.args.length > 0) {
            this.#fail(m, t.pos, `type parameter ${t.name} takes no arguments`);
          }
          return;
        }
        const [, def] = this.#lookup(t, m);
        if (def.params.length !== t.args.length) {
          const full = t.module === undefined
            ? t.name
            : `${t.module}.${t.name}`;
          this.#fail(
            m,
            t.pos,
            `${full} takes ${def.params.length} type argument(s), got ${t.args.length}`,
          );
        }
        for (const a of t.args) this.#check(a, m, params);
        return;
      }
      default:
        return;
    }
  }

  #instance(
    m: SbsModule | undefined,
    def: SbsTypeDef,
    args: ResolvedType[],
    depth: number,
  ): ResolvedNamed {
    const base = m === undefined ? def.name : `${m.name}.${def.name}`;
    const name = args.length === 0
      ? base
      : `${base}(${args.map(typeName).join(" ")})`;
    const known = this.named.get(name);
    if (known !== undefined) return known;
    if (depth > MAX_INSTANTIATION_DEPTH) {
      throw new SbsSchemaError(
        `instantiating ${base} nests deeper than ${MAX_INSTANTIATION_DEPTH} levels (polymorphic recursion?)`,
        { source: m?.source, line: def.pos.line, column: def.pos.column },
      );
    }
    const node: ResolvedNamed = { kind: "named", name, type: BUILTIN.none };
    this.named.set(name, node);
    const env = new Map<string, ResolvedType>();
    def.params.forEach((p, i) => env.set(p, args[i]));
    node.type = this.#resolve(def.type, { module: m, env, depth });
    return node;
  }

  #resolve(t: SbsType, scope: Scope): ResolvedType {
    switch (t.kind) {
      case "array":
        return { kind: "array", item: this.#resolve(t.item, scope) };
      case "record":
      case "choice":
        return {
          kind: t.kind,
          entries: t.entries.map((e): ResolvedEntry => ({
            name: e.name,
            type: this.#resolve(e.type, scope),
          })),
        };
      case "ref": {
        if (t.module === undefined) {
          const bound = scope.env.get(t.name);
          if (bound !== undefined) return bound;
        }
        // Only the predefined Optional has no module; its body names only T.
        const [m, def] = this.#lookup(t, scope.module!);
        const args = t.args.map((a) => this.#resolve(a, scope));
        return this.#instance(
          m,
          def,
          args,
          scope.depth + (args.length > 0 ? 1 : 0),
        );
      }
      default:
        return BUILTIN[t.kind];
    }
  }

  /** Rejects `A = B`, `B = A`: names that never reach a real type. */
  #checkProductive(node: ResolvedNamed): void {
    const seen = new Set<ResolvedNamed>([node]);
    let t = node.type;
    while (t.kind === "named") {
      if (seen.has(t)) {
        throw new SbsSchemaError(
          `type ${node.name} is defined only in terms of itself`,
        );
      }
      seen.add(t);
      t = t.type;
    }
  }
}
