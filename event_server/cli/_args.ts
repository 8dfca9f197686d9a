// A small command-line parser: long flags (`--name value`,
// `--name=value`, `--no-name` for booleans), repeatable flags, positional
// arguments, `--` ends flags. Help text is generated from the same table.

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
 * @throws {CliError} (usage) For an unknown flag, a missing value or a
 * single-valued flag given twice.
 */
export function parseArgs(
  args: readonly string[],
  flags: readonly Flag[],
): Parsed {
  const table = [...flags, HELP_FLAG];
  const byName = new Map(table.map((f) => [f.name, f]));
  const byShort = new Map(
    table.filter((f) => f.short !== undefined).map((f) => [f.short!, f]),
  );
  const values: Record<string, string | string[] | boolean | undefined> = {};
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    let flag: Flag | undefined;
    let inline: string | undefined;
    let negated = false;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      flag = byName.get(name);
      if (flag === undefined && name.startsWith("no-")) {
        flag = byName.get(name.slice(3));
        negated = flag?.kind === "boolean";
        if (!negated) flag = undefined;
      }
      if (flag === undefined) {
        throw new CliError(`Unknown option --${name}`, EXIT.usage);
      }
    } else if (arg.length === 2 && arg[0] === "-" && arg[1] !== "-") {
      flag = byShort.get(arg[1]);
      if (flag === undefined) {
        throw new CliError(`Unknown option ${arg}`, EXIT.usage);
      }
    } else {
      positionals.push(arg);
      continue;
    }
    if (flag.kind === "boolean") {
      if (inline !== undefined) {
        throw new CliError(`Option --${flag.name} takes no value`, EXIT.usage);
      }
      values[flag.name] = !negated;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      // `-f -a HOST` would read -a as the format and HOST as a positional;
      // a value that is an option of this command goes with --name=VALUE.
      const next = args[i + 1];
      if (
        i + 1 >= args.length || next === "--" ||
        (next.startsWith("--") &&
          byName.has(next.slice(2).split("=")[0])) ||
        (next.length === 2 && next[0] === "-" && byShort.has(next[1]))
      ) {
        throw new CliError(
          `Option --${flag.name} needs a value (${flag.value ?? "VALUE"})`,
          EXIT.usage,
        );
      }
      value = args[++i];
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
