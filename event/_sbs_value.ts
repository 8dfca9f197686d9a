// The SBS value form (the codec's `SbsValue`), until the codec's own type is
// on main; structurally identical to it.

export type SbsValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | readonly SbsValue[]
  | { readonly [entry: string]: SbsValue };
