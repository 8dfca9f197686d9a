// The client that `connect()` makes with `reconnect`: one connection
// client (client.ts) at a time, made again when it closes. Its addresses
// are tried in order, round after round, with the backoff of
// _reconnect_options.ts; calls made meanwhile wait for the next connection;
// a persisted subscriber catches up through _catch_up.ts; the event queue
// and the iterators over it outlive the connections. See docs/failover.md.

import {
  type Address,
  ConnectionError,
  ProtocolError,
} from "../chatter/mod.ts";
import type {
  Event,
  QueryParams,
  QueryResult,
  QueryType,
  RegisterEvent,
  Status,
} from "../event/mod.ts";
import { BatchQueue } from "./_batch_queue.ts";
import { CatchUp, type EventSink } from "./_catch_up.ts";
import type { Client, ConnectionState } from "./_client_interface.ts";
import type {
  CallOptions,
  ClientOptions,
  EventsCallback,
  QueryOptions,
  RegisterOptions,
  StatusCallback,
} from "./_client_options.ts";
import { isPromiseLike, reportError, safeReport } from "./_common.ts";
import {
  backoffDelay,
  type DisconnectCallback,
  type ReconnectCallback,
  type ReconnectInfo,
  type ReconnectPolicy,
} from "./_reconnect_options.ts";

/**
 * Makes one connection client: the init exchange with `addr`, its events
 * going to `sink` (when it has no `onEvents`).
 */
export type ConnectOne = (
  addr: Address,
  options: ClientOptions,
  sink?: EventSink,
) => Promise<Client>;

/** What `connect()` validated for {@linkcode connectReconnecting}. */
export interface ReconnectSettings {
  readonly policy: ReconnectPolicy;
  /** `eventsQueueSize`. */
  readonly queueSize: number;
  /** Whether the client catches up (a persisted subscriber). */
  readonly catchUp: boolean;
  readonly subscriptions: readonly QueryType[];
  /** The client's `serverId` option. */
  readonly serverId: number | null;
}

/** A connection made by one of the attempts. */
interface Connected {
  client: Client;
  sink: EventSink;
  address: Address;
}

interface Waiter {
  resolve(client: Client): void;
  reject(error: unknown): void;
}

function describe(addr: Address): string {
  return `${addr.hostname}:${addr.port}`;
}

/** Whether a failed attempt is worth telling (not a mere refusal). */
function worthReporting(err: unknown): boolean {
  return err instanceof ProtocolError || !(err instanceof ConnectionError);
}

/** The error of a round in which no address accepted the client. */
function noServer(addrs: readonly Address[], errors: unknown[]): unknown {
  if (errors.length === 1) return errors[0];
  const list = addrs.map((a, i) =>
    `${describe(a)} (${(errors[i] as Error)?.message ?? errors[i]})`
  ).join(", ");
  return new ConnectionError(
    `Cannot connect to any of ${addrs.length} addresses: ${list}`,
    { cause: new AggregateError(errors) },
  );
}

/**
 * Tries the addresses in order and gives the first client made; throws the
 * error of a single address as it is, or a `ConnectionError` naming each.
 */
export async function connectFirst(
  addrs: readonly Address[],
  attempt: (addr: Address) => Promise<Client>,
): Promise<Client> {
  const errors: unknown[] = [];
  for (const addr of addrs) {
    try {
      return await attempt(addr);
    } catch (err) {
      errors.push(err);
    }
  }
  throw noServer(addrs, errors);
}

/** Checks and copies `connect()`'s first argument. */
export function addressList(addr: Address | readonly Address[]): Address[] {
  const addrs = Array.isArray(addr) ? [...addr] : [addr as Address];
  if (addrs.length === 0) {
    throw new TypeError("Invalid address list: expected at least one address");
  }
  for (let i = 0; i < addrs.length; i++) {
    const a = addrs[i];
    if (
      typeof a !== "object" || a === null || typeof a.hostname !== "string" ||
      !Number.isInteger(a.port)
    ) {
      throw new TypeError(
        `Invalid address${
          addrs.length > 1 ? ` ${i}` : ""
        }: expected { hostname, port }, got ${JSON.stringify(a) ?? typeof a}`,
      );
    }
  }
  return addrs;
}

/**
 * Connects the first address of `addrs` that accepts the client (one
 * round) and gives a client that reconnects from then on.
 */
export function connectReconnecting(
  addrs: readonly Address[],
  options: ClientOptions,
  settings: ReconnectSettings,
  connectOne: ConnectOne,
): Promise<Client> {
  return ReconnectingClient.connect(addrs, options, settings, connectOne);
}

class ReconnectingClient implements Client {
  #addrs: readonly Address[];
  #options: ClientOptions;
  #policy: ReconnectPolicy;
  #connectOne: ConnectOne;
  #onStatus: StatusCallback | undefined;
  #onEvents: EventsCallback | undefined;
  #onReconnect: ReconnectCallback | undefined;
  #onDisconnect: DisconnectCallback | undefined;
  #onError: (error: unknown) => void;
  #queue: BatchQueue | null;
  #catchUp: CatchUp | null;
  #current: Client | null = null;
  #state: ConnectionState = "reconnecting";
  #status: Status = "standby";
  #waiters = new Set<Waiter>();
  #stop = new AbortController();
  #supervising: Promise<void> = Promise.resolve();
  #closing: Promise<void> | null = null;
  #closed = Promise.withResolvers<void>();
  /** Backoff round of the next wait; carried over a short connection. */
  #round = 0;

  private constructor(
    addrs: readonly Address[],
    options: ClientOptions,
    settings: ReconnectSettings,
    connectOne: ConnectOne,
  ) {
    this.#addrs = addrs;
    this.#options = options;
    this.#policy = settings.policy;
    this.#connectOne = connectOne;
    this.#onStatus = options.onStatus;
    this.#onEvents = options.onEvents;
    this.#onReconnect = options.onReconnect;
    this.#onDisconnect = options.onDisconnect;
    this.#onError = options.onError ?? ((e) => reportError("client", e));
    this.#queue = this.#onEvents ? null : new BatchQueue(settings.queueSize);
    this.#catchUp = settings.catchUp
      ? new CatchUp(
        settings.subscriptions,
        settings.serverId,
        (events, ack) => this.#toApplication(events, ack),
        settings.queueSize,
      )
      : null;
  }

  static async connect(
    addrs: readonly Address[],
    options: ClientOptions,
    settings: ReconnectSettings,
    connectOne: ConnectOne,
  ): Promise<Client> {
    const client = new ReconnectingClient(
      addrs,
      options,
      settings,
      connectOne,
    );
    const errors: unknown[] = [];
    let first: Connected | null = null;
    for (const addr of addrs) {
      try {
        first = await client.#attempt(addr, false, options.signal);
        break;
      } catch (err) {
        if (options.signal?.aborted) throw options.signal.reason;
        errors.push(err);
      }
    }
    if (first === null) {
      client.#queue?.close();
      throw noServer(addrs, errors);
    }
    for (const err of errors) {
      if (worthReporting(err)) safeReport(client.#onError, err);
    }
    // The status of the init response is the first one known, not news.
    client.#status = first.client.status;
    client.#supervising = client.#supervise(first);
    return client;
  }

  get status(): Status {
    return this.#status;
  }

  get isOpen(): boolean {
    return this.#state !== "closed";
  }

  get connectionState(): ConnectionState {
    return this.#state;
  }

  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  register(
    events: readonly RegisterEvent[],
    options: RegisterOptions & { withResponse: true },
  ): Promise<Event[] | null>;
  register(
    events: readonly RegisterEvent[],
    options?: RegisterOptions & { withResponse?: false },
  ): Promise<void>;
  register(
    events: readonly RegisterEvent[],
    options?: RegisterOptions,
  ): Promise<Event[] | null | void>;
  register(
    events: readonly RegisterEvent[],
    options: RegisterOptions = {},
  ): Promise<Event[] | null | void> {
    const c = this.#current;
    if (c !== null && c.isOpen) return c.register(events, options);
    return this.#connection(options).then((c) => c.register(events, options));
  }

  query(params: QueryParams, options: QueryOptions = {}): Promise<QueryResult> {
    const c = this.#current;
    if (c !== null && c.isOpen) return c.query(params, options);
    return this.#connection(options).then((c) => c.query(params, options));
  }

  events(): AsyncIterableIterator<Event[]> {
    if (this.#queue === null) {
      throw new TypeError(
        "events() is not available: the client has an onEvents callback",
      );
    }
    return this.#queue.iterate();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Event[]> {
    return this.events();
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #close(): Promise<void> {
    this.#state = "closed";
    this.#stop.abort(new ConnectionError("The client is closed"));
    const error = new ConnectionError("The client is closed");
    for (const w of this.#waiters) w.reject(error);
    this.#waiters.clear();
    await this.#current?.close();
    await this.#supervising;
    this.#queue?.close();
    this.#closed.resolve();
  }

  /** A connection for a call made while there is none. */
  #connection(options: CallOptions): Promise<Client> {
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#state === "closed") {
      return Promise.reject(new ConnectionError("The client is closed"));
    }
    if (options.waitForConnection === false) {
      return Promise.reject(
        new ConnectionError(
          "Not connected (the client is reconnecting): the request was not sent",
        ),
      );
    }
    return new Promise<Client>((resolve, reject) => {
      const timeout = this.#policy.requestTimeout;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => done(() => reject(signal!.reason));
      const done = (settle: () => void) => {
        this.#waiters.delete(waiter);
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        settle();
      };
      const waiter: Waiter = {
        resolve: (c) => done(() => resolve(c)),
        reject: (e) => done(() => reject(e)),
      };
      this.#waiters.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
      if (timeout !== Infinity) {
        timer = setTimeout(
          () =>
            waiter.reject(
              new ConnectionError(
                `No connection within requestTimeout (${
                  timeout / 1000
                } s): the request was not sent`,
              ),
            ),
          timeout,
        );
      }
    });
  }

  /** One attempt: connect to `addr` within `connectTimeout`. */
  async #attempt(
    addr: Address,
    reconnect: boolean,
    signal?: AbortSignal,
  ): Promise<Connected> {
    signal?.throwIfAborted();
    const cancel = new AbortController();
    const stop = () => cancel.abort(this.#stop.signal.reason);
    const abort = () => cancel.abort(signal!.reason);
    this.#stop.signal.addEventListener("abort", stop, { once: true });
    signal?.addEventListener("abort", abort, { once: true });
    const ms = this.#policy.connectTimeout;
    const timer = ms === Infinity ? undefined : setTimeout(() =>
      cancel.abort(
        new ConnectionError(
          `No answer from ${describe(addr)} within connectTimeout (${
            ms / 1000
          } s)`,
        ),
      ), ms);
    const sink = this.#sink(reconnect);
    try {
      const client = await this.#connectOne(addr, {
        ...this.#options,
        signal: cancel.signal,
        onEvents: undefined,
        onStatus: (_c, status) => this.#serverStatus(status),
        onError: this.#onError,
      }, sink);
      return { client, sink, address: addr };
    } finally {
      clearTimeout(timer);
      this.#stop.signal.removeEventListener("abort", stop);
      signal?.removeEventListener("abort", abort);
    }
  }

  #sink(reconnect: boolean): EventSink {
    if (this.#catchUp !== null) return this.#catchUp.sink(reconnect);
    return {
      push: (events, ack) => this.#toApplication(events, ack),
      close: () => {},
    };
  }

  /** Connection after connection, until closed. */
  async #supervise(first: Connected): Promise<void> {
    let current: Connected | null = first;
    try {
      while (current !== null) {
        const since = performance.now();
        this.#attach(current);
        await current.client.closed;
        this.#current = null;
        if (this.#state === "closed") return;
        this.#state = "reconnecting";
        this.#tell(() => this.#onDisconnect?.(this));
        // A connection that stayed up long enough starts the backoff over
        // and is retried at once; one that dropped soon goes on waiting.
        const stable = performance.now() - since >= this.#policy.maxDelay;
        if (stable) this.#round = 0;
        current = await this.#reconnect(stable);
      }
    } catch (err) {
      // A bug here must not leave the client half alive.
      safeReport(this.#onError, err);
      this.close();
    }
  }

  /** Rounds of attempts until one connects; `null` once closed. */
  async #reconnect(immediate: boolean): Promise<Connected | null> {
    const delays: number[] = [];
    let attempts = 0;
    let wait = !immediate;
    for (;;) {
      if (wait) {
        const ms = backoffDelay(this.#round, this.#policy);
        this.#round++;
        delays.push(ms / 1000);
        if (!await this.#sleep(ms)) return null;
      }
      wait = true;
      for (const addr of this.#addrs) {
        if (this.#stop.signal.aborted) return null;
        attempts++;
        let next: Connected;
        try {
          next = await this.#attempt(addr, true);
        } catch (err) {
          if (this.#stop.signal.aborted) return null;
          if (worthReporting(err)) safeReport(this.#onError, err);
          continue;
        }
        if (this.#stop.signal.aborted) {
          await next.client.close();
          return null;
        }
        const info: ReconnectInfo = { address: addr, attempts, delays };
        this.#attach(next);
        this.#tell(() => this.#onReconnect?.(this, info));
        return next;
      }
    }
  }

  #sleep(ms: number): Promise<boolean> {
    const signal = this.#stop.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onStop = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onStop);
        resolve(true);
      }, ms);
      signal.addEventListener("abort", onStop, { once: true });
    });
  }

  /** Makes `c` the connection: status, waiting calls, catch-up. */
  #attach(c: Connected): void {
    if (this.#current === c.client) return;
    this.#current = c.client;
    this.#state = "connected";
    if (c.client.status !== this.#status) this.#serverStatus(c.client.status);
    for (const w of [...this.#waiters]) w.resolve(c.client);
    if (this.#catchUp === null) return;
    const client = c.client;
    this.#catchUp.run(c.sink, (params) => client.query(params)).catch(
      (err) => {
        if (!client.isOpen) return;
        // The connection cannot go on without its catch-up: a new one will.
        safeReport(this.#onError, err);
        client.close();
      },
    );
  }

  /** A status from the server (of the init response or announced). */
  #serverStatus(status: Status): Promise<void> | undefined {
    this.#status = status;
    const cb = this.#onStatus;
    if (cb === undefined) return;
    let r;
    try {
      r = cb(this, status);
    } catch (err) {
      this.#fail(err);
      return;
    }
    if (isPromiseLike<void>(r)) {
      return Promise.resolve(r).then(undefined, (err) => this.#fail(err));
    }
  }

  /** Hands a batch to `onEvents` or to the queue of `events()`. */
  #toApplication(
    events: Event[],
    ack: (() => void) | null,
  ): Promise<void> | undefined {
    if (this.#queue !== null) return this.#queue.push(events, ack);
    let r;
    try {
      r = this.#onEvents!(this, events);
    } catch (err) {
      this.#fail(err);
      return;
    }
    if (isPromiseLike<void>(r)) {
      return Promise.resolve(r).then(() => ack?.(), (err) => this.#fail(err));
    }
    ack?.();
  }

  /** A callback of the application threw: the client closes for good. */
  #fail(err: unknown): void {
    safeReport(this.#onError, err);
    this.close();
  }

  /** Calls a notification callback; what it throws is only reported. */
  #tell(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      safeReport(this.#onError, err);
    }
  }
}
