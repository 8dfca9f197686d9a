// Checks of the config's redundancy entries (config.ts): the server's name,
// the monitor to join, the static peers (docs/redundancy.md).

import type {
  AddressConfig,
  MonitorComponentConfig,
  PeerConfig,
} from "./config.ts";
import { integer, seconds } from "./_config_values.ts";
import { ConfigError } from "./errors.ts";

/** Parses `host:port` (or `:port`, `[v6]:port`), naming `key` if wrong. */
export type AddressParser = (key: string, v: unknown) => AddressConfig;

const MAX_ID = 2 ** 53 - 1;

function object(key: string, v: unknown): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new ConfigError(key, `expected an object, got ${JSON.stringify(v)}`);
  }
  return v as Record<string, unknown>;
}

function known(key: string, v: Record<string, unknown>, keys: string[]) {
  for (const k of Object.keys(v)) {
    if (!keys.includes(k)) {
      throw new ConfigError(
        `${key}.${k}`,
        `unknown entry (known: ${keys.join(", ")})`,
      );
    }
  }
}

/** A name: non-empty, printable, no `/` (it ends a client name). */
export function serverName(v: unknown): string {
  if (
    typeof v !== "string" || v === "" ||
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\u007f]/.test(v)
  ) {
    throw new ConfigError(
      "name",
      `expected a non-empty string without control characters, got ${
        JSON.stringify(v)
      }`,
    );
  }
  return v;
}

/** `monitorComponent`: null, or `{address, group?, eventerAddress?}`. */
export function monitorComponent(
  v: unknown,
  parseAddress: AddressParser,
): MonitorComponentConfig | null {
  if (v === null || v === undefined) return null;
  const m = object("monitorComponent", v);
  known("monitorComponent", m, ["address", "group", "eventerAddress"]);
  if (m.address === undefined) {
    throw new ConfigError(
      "monitorComponent.address",
      "missing: the monitor's host:port, e.g. 127.0.0.1:23010",
    );
  }
  const group = m.group ?? "event";
  if (typeof group !== "string" || group === "") {
    throw new ConfigError(
      "monitorComponent.group",
      `expected a non-empty string, got ${JSON.stringify(group)}`,
    );
  }
  const eventerAddress = m.eventerAddress === undefined
    ? null
    : parseAddress("monitorComponent.eventerAddress", m.eventerAddress);
  if (eventerAddress !== null && eventerAddress.port === 0) {
    throw new ConfigError(
      "monitorComponent.eventerAddress",
      "expected the port peers reach this server at, got 0",
    );
  }
  return {
    address: parseAddress("monitorComponent.address", m.address),
    group,
    eventerAddress,
  };
}

/** `peers`: `[{address, serverId}]`, none with `serverId` this server's. */
export function peers(
  v: unknown,
  serverId: number,
  parseAddress: AddressParser,
): PeerConfig[] {
  if (!Array.isArray(v)) {
    throw new ConfigError(
      "peers",
      `expected an array of {"address": "host:port", "serverId": N}`,
    );
  }
  const seen = new Map<number, string>();
  return v.map((entry, i) => {
    const key = `peers[${i}]`;
    const p = object(key, entry);
    known(key, p, ["address", "serverId"]);
    const id = integer(`${key}.serverId`, p.serverId, -MAX_ID, MAX_ID);
    const address = parseAddress(`${key}.address`, p.address);
    const where = `${address.hostname}:${address.port}`;
    if (id === serverId) {
      throw new ConfigError(
        `${key}.serverId`,
        `peer ${where} has server id ${id}, the id of this server: two ` +
          "servers of one group must have different ids",
      );
    }
    const other = seen.get(id);
    if (other !== undefined) {
      throw new ConfigError(
        `${key}.serverId`,
        `peers ${other} and ${where} both have server id ${id}`,
      );
    }
    seen.set(id, where);
    if (address.port === 0) {
      throw new ConfigError(`${key}.address`, "expected a port, got 0");
    }
    return { address, serverId: id };
  });
}

/** `peerReconnectDelay`: seconds a timer can wait, above 0. */
export function reconnectDelay(v: unknown): number {
  const s = seconds("peerReconnectDelay", v);
  if (s === 0) {
    throw new ConfigError(
      "peerReconnectDelay",
      "expected seconds above 0 (0 would retry a dead peer without pause)",
    );
  }
  return s;
}
