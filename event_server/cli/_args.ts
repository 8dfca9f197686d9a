// Command-line flags of the CLI: a table per command, read with
// node:util's parseArgs (long `--name value` and `--name=value`, short `-n`,
// `--` ends flags) plus what it leaves to its caller: `--no-name` for
// booleans, a value that is another option, a flag given twice, and an
// unknown option answered with the nearest known one. Help text is
// generated from the same table.

import { parseArgs as tokenize } from "node:util";
import { CliError, EXIT } from "./_errors.ts";

/** One flag a command accepts. */
export interface Flag {
  /** Long name, without `--`. */
  readonly name: string;
  /** `boolean` flags take no value. */
  readonly kind: "string" | "boolean";
  /** May be given more than once (values collect into an array). */
  readonly multiple?: boolean;
  /** One-letter alias, without `-`. */
  readonly short?: string;
  /** Placeholder of the value in help. */
  readonly value?: string;
  /** One line of help. */
  readonly help: string;
}

/** What a command line parsed to. */
export interface Parsed {
  /** Flag values by name: string, string[] (multiple) or boolean. */
  readonly flags: Record<string, string | string[] | boolean | undefined>;
  readonly positionals: string[];
  readonly help: boolean;
}

/** Options of {@linkcode parseArgs}. */
export interface ParseOptions {
  /**
   * The command as its help names it (`register`, `query latest`): an
   * unknown option points at `hat-eventer COMMAND --help`.
   * @default {undefined} (points at `--help`)
   */
  readonly command?: string;
  /**
   * Flags of sibling commands by name (`query timeseries`): an option of
   * one of them is named as such rather than as unknown.
   * @default {{}}
   */
  readonly siblings?: Readonly<Record<string, readonly Flag[]>>;
}

/** Flag every command accepts. */
export const HELP_FLAG: Flag = {
  name: "help",
  kind: "boolean",
  short: "h",
  help: "show this help and exit",
};

/**
 * Parses arguments against a flag table.
 *
 * @throws {CliError} (usage) For an unknown flag (naming the nearest known
 * one), a missing value or a single-valued flag given twice.
 */
export function parseArgs(
  args: readonly string[],
  flags: readonly Flag[],
  options: ParseOptions = {},
): Parsed {
  const table = [...flags, HELP_FLAG];
  const byName = new Map(table.map((f) => [f.name, f]));
  const byShort = new Map(
    table.filter((f) => f.short !== undefined).map((f) => [f.short!, f]),
  );
  const { tokens } = tokenize({
    args: [...args],
    options: Object.fromEntries(
      table.map((f) => [
        f.name,
        f.short === undefined
          ? { type: f.kind }
          : { type: f.kind, short: f.short },
      ]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  // `-f -a HOST` would read -a as the format and HOST as a positional; a
  // value that is an option of this command goes with --name=VALUE.
  const isOption = (text: string) =>
    text === "--" ||
    (text.startsWith("--") && known(byName, text.slice(2).split("=")[0])) ||
    (text.length === 2 && text[0] === "-" && byShort.has(text[1]));
  const values: Record<string, string | string[] | boolean | undefined> = {};
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === "option-terminator") continue;
    let flag = byName.get(token.name);
    let negated = false;
    if (flag === undefined && token.rawName.startsWith("--no-")) {
      flag = byName.get(token.name.slice(3));
      negated = flag?.kind === "boolean";
      if (!negated) flag = undefined;
    }
    if (flag === undefined) {
      throw unknownOption(token.rawName, table, options);
    }
    if (flag.kind === "boolean") {
      if (token.value !== undefined) {
        throw new CliError(`Option --${flag.name} takes no value`, EXIT.usage);
      }
      values[flag.name] = !negated;
      continue;
    }
    const value = token.value;
    if (value === undefined || (!token.inlineValue && isOption(value))) {
      throw new CliError(
        `Option --${flag.name} needs a value (${flag.value ?? "VALUE"})`,
        EXIT.usage,
      );
    }
    if (flag.multiple) {
      const list = (values[flag.name] as string[] | undefined) ?? [];
      list.push(value);
      values[flag.name] = list;
    } else if (values[flag.name] !== undefined) {
      // the first value would be dropped without a word
      throw new CliError(`Option --${flag.name} given twice`, EXIT.usage);
    } else {
      values[flag.name] = value;
    }
  }
  return { flags: values, positionals, help: values.help === true };
}

/** Whether `name` is a flag of the table, or `no-` and a boolean one. */
function known(byName: Map<string, Flag>, name: string): boolean {
  if (byName.has(name)) return true;
  return name.startsWith("no-") &&
    byName.get(name.slice(3))?.kind === "boolean";
}

function unknownOption(
  raw: string,
  table: readonly Flag[],
  options: ParseOptions,
): CliError {
  const see = options.command === undefined
    ? "(see --help)"
    : `(see hat-eventer ${options.command} --help)`;
  if (!raw.startsWith("--")) {
    return new CliError(`Unknown option ${raw} ${see}`, EXIT.usage);
  }
  const name = raw.slice(2);
  for (const [command, flags] of Object.entries(options.siblings ?? {})) {
    if (known(new Map(flags.map((f) => [f.name, f])), name)) {
      const of = options.command === undefined ? "" : ` for ${options.command}`;
      return new CliError(
        `Unknown option ${raw}${of}; it is an option of ${command} ${see}`,
        EXIT.usage,
      );
    }
  }
  const names = table.flatMap((f) =>
    f.kind === "boolean" ? [f.name, `no-${f.name}`] : [f.name]
  );
  const near = nearest(name, names);
  const hint = near === undefined ? "" : `; did you mean --${near}?`;
  return new CliError(`Unknown option ${raw}${hint} ${see}`, EXIT.usage);
}

/**
 * The candidate nearest to a mistyped word: within a few edits (a third of
 * its length, at least one; a swap of two neighbours is one edit), or else
 * the only candidate it begins. `undefined` when nothing is near.
 *
 * @param word What was typed.
 * @param candidates What it may have meant.
 * @returns The nearest candidate, if one is near.
 */
export function nearest(
  word: string,
  candidates: readonly string[],
): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  if (best !== undefined) return best;
  const prefixed = word.length >= 3
    ? candidates.filter((c) => c.startsWith(word))
    : [];
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** Edits (insert, delete, replace, swap of neighbours) from `a` to `b`. */
function editDistance(a: string, b: string): number {
  // rows i-2, i-1 and i of the table of distances between prefixes
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, before[j - 2] + 1);
      }
      row.push(d);
    }
    [before, previous] = [previous, row];
  }
  return previous[b.length];
}

/** Help text of a command: usage line, description, flags. */
export function helpText(
  usage: string,
  description: string,
  flags: readonly Flag[],
): string {
  const rows = [...flags, HELP_FLAG].map((f) => {
    const short = f.short === undefined ? "    " : `-${f.short}, `;
    const value = f.kind === "string" ? ` ${f.value ?? "VALUE"}` : "";
    const repeat = f.multiple ? " (repeatable)" : "";
    return [`  ${short}--${f.name}${value}`, `${f.help}${repeat}`];
  });
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = rows.map(([left, right]) => left.padEnd(width) + right);
  return `Usage: ${usage}\n\n${description}\n\nOptions:\n${lines.join("\n")}\n`;
}

/** A string flag's value, if given. */
export function str(parsed: Parsed, name: string): string | undefined {
  const v = parsed.flags[name];
  return typeof v === "string" ? v : undefined;
}

/** A repeatable flag's values. */
export function list(parsed: Parsed, name: string): string[] {
  const v = parsed.flags[name];
  return Array.isArray(v) ? v : [];
}

/** A boolean flag's value, if given. */
export function bool(parsed: Parsed, name: string): boolean | undefined {
  const v = parsed.flags[name];
  return typeof v === "boolean" ? v : undefined;
}

/**
 * An integer flag's value, if given.
 *
 * @throws {CliError} (usage) When it is not an integer within bounds.
 */
export function int(
  parsed: Parsed,
  name: string,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const v = str(parsed, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new CliError(
      `Invalid --${name}: expected an integer in ${min}..${max}, got "${v}"`,
      EXIT.usage,
    );
  }
  return n;
}
