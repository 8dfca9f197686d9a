// One Event Server per data directory. Two servers on one database hand out
// the same session ids and one of them dies at its next commit, losing the
// events it acknowledged; so a server holds an exclusive OS lock on a file in
// its data directory for as long as it runs. The kernel drops the lock when
// the process ends however it ends (SIGKILL, a crash), so no stale lock
// outlives its server. The file stays; it holds the pid of its holder, for
// the message a second server gives.

import { StartError } from "./errors.ts";

/** Name of the lock file in the data directory. */
export const LOCK_FILE = "server.lock";

/** A held lock of a data directory. */
export interface DataDirLock {
  /** Path of the lock file. */
  readonly path: string;
  /** Releases the lock (once; later calls do nothing). */
  release(): void;
}

/**
 * Locks the data directory `dir` (which must exist) for this process.
 *
 * @param dir The data directory.
 * @returns The held lock.
 * @throws {StartError} When another process holds it (the message names
 * the directory and that process's pid) or the lock file cannot be used.
 */
export async function lockDataDir(dir: string): Promise<DataDirLock> {
  const path = `${dir.replace(/\/+$/, "")}/${LOCK_FILE}`;
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { read: true, write: true, create: true });
  } catch (cause) {
    throw new StartError(
      `Cannot open the lock file ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
  try {
    if (!await file.tryLock(true)) {
      throw new StartError(
        `Data directory ${dir} is in use by another Event Server, ` +
          `pid ${await holderPid(path)} (it holds ${path}); stop it or ` +
          `use another data directory`,
      );
    }
    // Written only once held: a server that finds the lock taken must not
    // clear the holder's pid.
    await file.truncate(0);
    const pid = new TextEncoder().encode(`${Deno.pid}\n`);
    let written = 0;
    while (written < pid.length) {
      written += await file.write(pid.subarray(written));
    }
  } catch (cause) {
    file.close();
    if (cause instanceof StartError) throw cause;
    throw new StartError(
      `Cannot lock ${path}: ${(cause as Error).message}`,
      { cause },
    );
  }
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      // closing the last descriptor of the file drops its lock
      file.close();
    },
  };
}

/** The pid the holder wrote, or "unknown" before it wrote it. */
async function holderPid(path: string): Promise<string> {
  try {
    const text = (await Deno.readTextFile(path)).trim();
    return /^\d+$/.test(text) ? text : "unknown";
  } catch {
    // a system whose locks also bar reading (Windows)
    return "unknown";
  }
}
