// The SBS value form of the codec, for the conversions of the event model.

export type { SbsValue } from "../codec/mod.ts";
