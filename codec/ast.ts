/**
 * The syntax tree of SBS schemas, and the resolved type graph that a
 * {@linkcode Repository} builds from it. The parser produces {@linkcode
 * SbsModule}s; the repository resolves every reference and instantiates
 * parametric types into {@linkcode ResolvedType}s, which the serializers and
 * the Wasm program compiler consume.
 *
 * @module
 */

/** Where a node was found in its schema text (one-based). */
export interface SourcePos {
  /** One-based line. */
  readonly line: number;
  /** One-based column. */
  readonly column: number;
}

/** A named entry of a Record or Choice in a schema text. */
export interface SbsEntry {
  /** Entry name. */
  readonly name: string;
  /** Entry type. */
  readonly type: SbsType;
}

/** A type expression as written in a schema text. */
export type SbsType =
  | { readonly kind: "none" }
  | { readonly kind: "boolean" }
  | { readonly kind: "integer" }
  | { readonly kind: "float" }
  | { readonly kind: "string" }
  | { readonly kind: "bytes" }
  | { readonly kind: "array"; readonly item: SbsType }
  | { readonly kind: "record"; readonly entries: readonly SbsEntry[] }
  | { readonly kind: "choice"; readonly entries: readonly SbsEntry[] }
  | {
    readonly kind: "ref";
    /** Module name, when written as `Module.Type`. */
    readonly module: string | undefined;
    /** Type name, or a type parameter's name. */
    readonly name: string;
    /** Type arguments of a parametric type reference. */
    readonly args: readonly SbsType[];
    /** Where the reference is written. */
    readonly pos: SourcePos;
  };

/** A type definition `Name(Params) = Type`. */
export interface SbsTypeDef {
  /** Type name. */
  readonly name: string;
  /** Names of the type parameters (empty for a plain type). */
  readonly params: readonly string[];
  /** The defining type expression. */
  readonly type: SbsType;
  /** Where the definition starts. */
  readonly pos: SourcePos;
}

/** A parsed schema text: one module. */
export interface SbsModule {
  /** Module name from `module Name`. */
  readonly name: string;
  /** Type definitions by name, in order of definition. */
  readonly types: ReadonlyMap<string, SbsTypeDef>;
  /** File name given to the parser, or the module name. */
  readonly source: string;
}

/** A named entry of a resolved Record or Choice. */
export interface ResolvedEntry {
  /** Entry name. */
  readonly name: string;
  /** Entry type. */
  readonly type: ResolvedType;
}

/**
 * A type with every reference resolved. Named types (`Module.Type`, or a
 * parametric instance such as `Prim.Entry(String Integer)`) stay as `named`
 * nodes so that recursive schemas form a finite, possibly cyclic, graph.
 */
export type ResolvedType =
  | { readonly kind: "none" }
  | { readonly kind: "boolean" }
  | { readonly kind: "integer" }
  | { readonly kind: "float" }
  | { readonly kind: "string" }
  | { readonly kind: "bytes" }
  | { readonly kind: "array"; readonly item: ResolvedType }
  | { readonly kind: "record"; readonly entries: readonly ResolvedEntry[] }
  | { readonly kind: "choice"; readonly entries: readonly ResolvedEntry[] }
  | ResolvedNamed;

/** A reference to a named type, linked once the repository is built. */
export interface ResolvedNamed {
  /** Discriminant. */
  readonly kind: "named";
  /** Full name, e.g. `HatEventer.Event` or `Prim.Entry(String Integer)`. */
  readonly name: string;
  /** The type it names (set while the repository is built). */
  type: ResolvedType;
}
