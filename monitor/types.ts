/**
 * The shapes of the monitor observer protocol as this package gives them:
 * a component's published info, its blessing request and response, and the
 * group state a component follows.
 *
 * @module
 */

/** A JSON value: what a component publishes as its `data`. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/**
 * The monitor's blessing request to a component (`HatObserver.BlessingReq`):
 * a token while the monitor blesses it, with the time (seconds since the
 * epoch, as the monitor's clock had it) it was blessed.
 */
export interface BlessingReq {
  /** The blessing token; `null` while the component is not blessed. */
  readonly token: number | null;
  /** When the token was issued; `null` with no token. */
  readonly timestamp: number | null;
}

/**
 * A component's blessing response (`HatObserver.BlessingRes`): the token it
 * accepted and whether it is ready to be blessed.
 */
export interface BlessingRes {
  /** The accepted blessing token; `null` when none is accepted. */
  readonly token: number | null;
  /** Whether the component wants to be blessed. */
  readonly ready: boolean;
}

/**
 * One component as the monitor lists it (`HatObserver.ComponentInfo`). The
 * pair (`cid`, `mid`) identifies it: `cid` is its connection's number at the
 * monitor it is connected to, `mid` that monitor's id (0 for the master).
 */
export interface ComponentInfo {
  /** Component id, given by its monitor. */
  readonly cid: number;
  /** Id of the monitor it is connected to. */
  readonly mid: number;
  /** Its name; `null` until its first `MsgClient` arrived. */
  readonly name: string | null;
  /** Its group; `null` until its first `MsgClient` arrived. */
  readonly group: string | null;
  /** The JSON data it publishes (`null` until it published). */
  readonly data: JsonValue;
  /** Its rank (lower wins a `BLESS_ONE` group). */
  readonly rank: number;
  /** The monitor's blessing request to it. */
  readonly blessingReq: BlessingReq;
  /** Its blessing response. */
  readonly blessingRes: BlessingRes;
}

/**
 * What a component knows of its monitor group, from the last
 * `HatObserver.MsgServer` (or nothing, while disconnected).
 */
export interface ObserverState {
  /** This component's id at its monitor; `null` before the first state. */
  readonly cid: number | null;
  /** Its monitor's id; `null` before the first state. */
  readonly mid: number | null;
  /**
   * This component's own entry of `components` (the one with its `cid`
   * and `mid`); `null` until the monitor lists it.
   */
  readonly info: ComponentInfo | null;
  /**
   * Every component known to the monitor, of every group, in the monitor's
   * order.
   */
  readonly components: readonly ComponentInfo[];
}

/** The state of a {@linkcode MonitorComponent}: the group and itself. */
export interface MonitorState extends ObserverState {
  /** Whether a connection to the monitor is open. */
  readonly connected: boolean;
  /**
   * Whether the component is active: ready, blessed, and the monitor has
   * seen it accept the blessing (its runner runs while this holds).
   */
  readonly active: boolean;
}
