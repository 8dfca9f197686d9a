// A small Hat monitor server for the tests: the observer protocol's server
// side (component port only, one monitor that is its own master), with the
// BLESS_ALL and BLESS_ONE algorithms as hat-monitor 0.8 decides them.
//
// ObserverCore is the pure state machine: connections, MsgClient in,
// MsgServer/MsgClose out, in the order the Python server writes them (every
// change of the local components is sent once with the old global list,
// then again once the master recomputed the blessings). Its frames are
// checked against frames recorded from the Python monitor server
// (observer_server_test.ts). startMonitorServer puts it on a loopback port.

import {
  type Address,
  type Connection,
  listen,
  type Server,
} from "../../chatter/mod.ts";
import { Repository, type SbsValue } from "../../codec/mod.ts";
import { OBSERVER_SBS } from "../../monitor/mod.ts";

export type Algorithm = "BLESS_ALL" | "BLESS_ONE";

export const MSG_CLIENT = "HatObserver.MsgClient";
export const MSG_SERVER = "HatObserver.MsgServer";
export const MSG_CLOSE = "HatObserver.MsgClose";

export const repo = new Repository(OBSERVER_SBS);

interface Req {
  token: number | null;
  timestamp: number | null;
}

interface Res {
  token: number | null;
  ready: boolean;
}

/** A component as the monitor holds it; `data` is the JSON text. */
export interface Info {
  cid: number;
  mid: number;
  name: string | null;
  group: string | null;
  data: string;
  rank: number;
  req: Req;
  res: Res;
}

export interface CoreOptions {
  /** @default "BLESS_ALL" */
  defaultAlgorithm?: Algorithm;
  /** @default {} */
  groupAlgorithms?: Record<string, Algorithm>;
  /** @default 1 */
  defaultRank?: number;
  /** Seconds since the epoch for a new blessing. @default Date.now()/1000 */
  now?: () => number;
}

/** One message for one connection. */
export interface Output {
  cid: number;
  type: string;
  data: Uint8Array;
}

const sameReq = (a: Req, b: Req) =>
  a.token === b.token && a.timestamp === b.timestamp;

const sameInfo = (a: Info, b: Info) =>
  a.cid === b.cid && a.mid === b.mid && a.name === b.name &&
  a.group === b.group && a.data === b.data && a.rank === b.rank &&
  sameReq(a.req, b.req) && a.res.token === b.res.token &&
  a.res.ready === b.res.ready;

const sameList = (a: Info[], b: Info[]) =>
  a.length === b.length && a.every((x, i) => sameInfo(x, b[i]));

// Truthy token and timestamp, as the reference tests it.
const blessed = (c: Info) => Boolean(c.req.token) && Boolean(c.req.timestamp);

const opt = <T>(v: T | null): SbsValue =>
  v === null ? ["none", null] : ["value", v as SbsValue];

function infoToSbs(i: Info): SbsValue {
  return {
    cid: i.cid,
    mid: i.mid,
    name: opt(i.name),
    group: opt(i.group),
    data: i.data,
    rank: i.rank,
    blessingReq: { token: opt(i.req.token), timestamp: opt(i.req.timestamp) },
    blessingRes: { token: opt(i.res.token), ready: i.res.ready },
  };
}

/** The monitor's state machine, without I/O. */
export class ObserverCore {
  #options: Required<CoreOptions>;
  #nextCid = 1;
  #nextToken = 1;
  #cids: number[] = [];
  #local: Info[] = [];
  #master: Info[] = [];
  #global: Info[] = [];
  #out: Output[] = [];

  constructor(options: CoreOptions = {}) {
    this.#options = {
      defaultAlgorithm: options.defaultAlgorithm ?? "BLESS_ALL",
      groupAlgorithms: options.groupAlgorithms ?? {},
      defaultRank: options.defaultRank ?? 1,
      now: options.now ?? (() => Date.now() / 1000),
    };
  }

  /** The components as the master lists them (every component's view). */
  get components(): readonly Info[] {
    return this.#global;
  }

  /** A new connection: its cid and what to send. */
  connect(): { cid: number; outputs: Output[] } {
    const cid = this.#nextCid++;
    this.#cids.push(cid);
    this.#changeLocal([...this.#local, {
      cid,
      mid: 0,
      name: null,
      group: null,
      data: "null",
      rank: this.#options.defaultRank,
      req: { token: null, timestamp: null },
      res: { token: null, ready: false },
    }]);
    return { cid, outputs: this.#flush() };
  }

  /**
   * A message from a connection. Anything but a decodable MsgClient ends
   * the connection, as in the reference (`close: true`: the outputs end
   * with its MsgClose).
   */
  receive(
    cid: number,
    type: string,
    data: Uint8Array,
  ): { close: boolean; outputs: Output[] } {
    let msg: {
      name: string;
      group: string;
      data: string;
      blessingRes: {
        token: ["none", null] | ["value", number];
        ready: boolean;
      };
    };
    try {
      if (type !== MSG_CLIENT) throw new Error("unsupported message type");
      msg = repo.decode(type, data) as typeof msg;
      JSON.parse(msg.data);
    } catch {
      return { close: true, outputs: this.disconnect(cid, true) };
    }
    const i = this.#local.findIndex((x) => x.cid === cid);
    const old = this.#local[i];
    const updated: Info = {
      ...old,
      name: msg.name,
      group: msg.group,
      data: msg.data,
      res: { token: msg.blessingRes.token[1], ready: msg.blessingRes.ready },
    };
    if (!sameInfo(old, updated)) {
      this.#changeLocal(this.#local.map((x, k) => k === i ? updated : x));
    }
    return { close: false, outputs: this.#flush() };
  }

  /** A connection ended (or is ended): the others learn; `close` adds MsgClose. */
  disconnect(cid: number, close = false): Output[] {
    if (!this.#cids.includes(cid)) return [];
    this.#cids = this.#cids.filter((c) => c !== cid);
    this.#changeLocal(this.#local.filter((x) => x.cid !== cid));
    if (close) this.#out.push({ cid, type: MSG_CLOSE, data: new Uint8Array() });
    return this.#flush();
  }

  /** The monitor stops: MsgClose to every connection. */
  closeAll(): Output[] {
    for (const cid of this.#cids) {
      this.#out.push({ cid, type: MSG_CLOSE, data: new Uint8Array() });
    }
    this.#cids = [];
    return this.#flush();
  }

  #flush(): Output[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  #sendState(): void {
    const components = this.#global.map(infoToSbs);
    for (const cid of this.#cids) {
      this.#out.push({
        cid,
        type: MSG_SERVER,
        data: repo.encode(MSG_SERVER, { cid, mid: 0, components }),
      });
    }
  }

  // The observer server's state change, then the master's recomputation.
  #changeLocal(local: Info[]): void {
    this.#local = local;
    this.#sendState();
    this.#updateMaster();
  }

  #updateMaster(): void {
    const previous = new Map(this.#master.map((i) => [i.cid, i]));
    const master = this.#local.map((i) => ({
      ...i,
      mid: 0,
      req: previous.get(i.cid)?.req ?? i.req,
    }));
    if (sameList(master, this.#master)) return;
    for (const [cid, req] of this.#bless(master)) {
      const k = master.findIndex((i) => i.cid === cid);
      master[k] = { ...master[k], req };
    }
    this.#master = master;
    if (sameList(master, this.#global)) return;
    this.#global = master;
    // The observer server takes the new list and the requests of its own.
    const reqs = new Map(master.map((i) => [i.cid, i.req]));
    this.#local = this.#local.map((i) => ({
      ...i,
      req: reqs.get(i.cid) ?? i.req,
    }));
    this.#sendState();
  }

  #newReq(): Req {
    return { token: this.#nextToken++, timestamp: this.#options.now() };
  }

  #bless(components: Info[]): [number, Req][] {
    const groups = new Map<string | null, Info[]>();
    for (const c of components) {
      const list = groups.get(c.group) ?? [];
      list.push(c);
      groups.set(c.group, list);
    }
    const changes: [number, Req][] = [];
    for (const [group, list] of groups) {
      const algorithm =
        (group !== null ? this.#options.groupAlgorithms[group] : undefined) ??
          this.#options.defaultAlgorithm;
      const reqs = algorithm === "BLESS_ALL"
        ? this.#blessAll(list)
        : this.#blessOne(list);
      list.forEach((c, k) => {
        if (!sameReq(c.req, reqs[k])) changes.push([c.cid, reqs[k]]);
      });
    }
    return changes;
  }

  #blessAll(list: Info[]): Req[] {
    return list.map((c) =>
      !c.res.ready
        ? { token: null, timestamp: null }
        : blessed(c)
        ? c.req
        : this.#newReq()
    );
  }

  // The lowest rank wins; on equal ranks a blessed one beats an unblessed
  // one, the earlier blessing wins, else the lower mid. A winner that has
  // not yet accepted its blessing waits while another still holds a token.
  #blessOne(list: Info[]): Req[] {
    let winner: Info | null = null;
    for (const c of list) {
      if (!c.res.ready) continue;
      if (winner === null || c.rank < winner.rank) {
        winner = c;
        continue;
      }
      if (c.rank !== winner.rank) continue;
      const cb = blessed(c), wb = blessed(winner);
      if (cb && !wb) {
        winner = c;
      } else if (cb && wb && c.req.timestamp! < winner.req.timestamp!) {
        winner = c;
      } else if (cb === wb && c.mid < winner.mid) {
        winner = c;
      }
    }
    if (
      winner !== null &&
      !(winner.res.token && winner.res.token === winner.req.token) &&
      list.some((c) => c !== winner && c.res.token)
    ) winner = null;
    return list.map((c) =>
      c !== winner
        ? { token: null, timestamp: null }
        : blessed(c)
        ? c.req
        : this.#newReq()
    );
  }
}

/** A monitor server on a loopback port, around an ObserverCore. */
export interface MonitorServer extends AsyncDisposable {
  readonly addr: Address;
  readonly core: ObserverCore;
  /** Open connections by cid. */
  readonly connections: ReadonlyMap<number, Connection>;
  /** Resolves when `pred` holds for the core (checked after each change). */
  until(pred: (core: ObserverCore) => boolean): Promise<void>;
  /** Sends anything to a connection (for malformed-message tests). */
  sendRaw(cid: number, type: string, data: Uint8Array): Promise<void>;
  /** Stops as the reference does on SIGTERM: MsgClose to every component. */
  close(): Promise<void>;
  /** Stops as a crash does: connections cut, nothing sent. */
  kill(): Promise<void>;
}

/**
 * Starts a monitor server (port 0 unless given, e.g. to come back on the
 * port of one that was killed).
 */
export async function startMonitorServer(
  options: CoreOptions & { port?: number } = {},
): Promise<MonitorServer> {
  const core = new ObserverCore(options);
  const connections = new Map<number, Connection>();
  const chains = new Map<number, Promise<void>>();
  let waiters: { pred: (c: ObserverCore) => boolean; resolve(): void }[] = [];
  let killed = false;

  const checkWaiters = () => {
    waiters = waiters.filter((w) => {
      if (!w.pred(core)) return true;
      w.resolve();
      return false;
    });
  };

  // Each connection's messages go out in the core's order.
  const dispatch = (outputs: Output[]) => {
    for (const o of outputs) {
      const conn = connections.get(o.cid);
      if (conn === undefined) continue;
      const chain = (chains.get(o.cid) ?? Promise.resolve()).then(() =>
        conn.send({ type: o.type, data: o.data }).then(() => {}, () => {})
      );
      chains.set(o.cid, chain);
    }
    checkWaiters();
  };

  const serve = async (conn: Connection) => {
    const { cid, outputs } = core.connect();
    connections.set(cid, conn);
    dispatch(outputs);
    try {
      for await (const msg of conn) {
        const r = core.receive(cid, msg.type, msg.data);
        dispatch(r.outputs);
        if (r.close) break;
      }
    } catch {
      // A broken connection ends like a closed one.
    }
    if (!killed) dispatch(core.disconnect(cid));
    await chains.get(cid);
    await conn.drain().catch(() => {});
    connections.delete(cid);
    chains.delete(cid);
    await conn.close();
  };

  const server: Server = await listen(serve, {
    hostname: "127.0.0.1",
    port: options.port ?? 0,
  }, { onError: () => {} });

  const stop = async (graceful: boolean) => {
    if (!server.isOpen) return;
    if (graceful) {
      dispatch(core.closeAll());
      await Promise.all(chains.values());
      await Promise.all(
        [...connections.values()].map((c) => c.drain().catch(() => {})),
      );
    } else {
      killed = true;
    }
    await server.close();
  };

  return {
    addr: server.addrs[0],
    core,
    connections,
    until(pred) {
      if (pred(core)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    async sendRaw(cid, type, data) {
      await connections.get(cid)?.send({ type, data });
    },
    close: () => stop(true),
    kill: () => stop(false),
    [Symbol.asyncDispose]: () => stop(true),
  };
}
