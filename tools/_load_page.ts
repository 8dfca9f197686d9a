// The web view opened in a real browser during a load run (load.ts
// --page): the tree open at the load's types (their latest values live),
// the stream of every load event and a plot of one type's values, as an
// operator would watch a busy server. The page counts the live updates it
// gets; the load tool reads that count before and after its timed part.

import { launchBrowser, type LaunchedBrowser } from "./_browser.ts";

const WAIT = { timeout: 30_000 };

/** The page, watching. */
export interface LoadPage extends AsyncDisposable {
  /** Live updates the page received so far. */
  updates(): Promise<number>;
  /** CPU seconds the browser (all its processes) used so far; NaN off Linux. */
  cpuSeconds(): number;
}

/** CPU seconds of a process and its descendants, from /proc. */
function treeCpuSeconds(root: number): number {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      const pid = Number(entry.name);
      if (!Number.isInteger(pid)) continue;
      let stat: string;
      try {
        stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      } catch {
        continue; // ended meanwhile
      }
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parent.set(pid, Number(fields[1]));
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
    }
  } catch {
    return NaN;
  }
  let total = 0;
  for (const [pid, seconds] of cpu) {
    for (let p: number | undefined = pid; p !== undefined && p > 1;) {
      if (p === root) {
        total += seconds;
        break;
      }
      p = parent.get(p);
    }
  }
  return total;
}

function node(type: string[]): string {
  return `li[data-type='${JSON.stringify(type)}']`;
}

/**
 * Opens the page at `url` once the load's types exist (`load/0` ..), and
 * sets it watching them.
 */
export async function openLoadPage(url: string): Promise<LoadPage> {
  const launched: LaunchedBrowser = await launchBrowser();
  const page = launched.page;
  try {
    await page.goto(url);
    await page.waitForSelector("#link.link-up", WAIT);
    const twisty = `${node(["load"])} > .line > .twisty`;
    await page.waitForSelector(twisty, WAIT);
    await page.click(twisty);
    await page.waitForSelector(`${node(["load", "0"])} .latest`, WAIT);
    await page.$eval("#stream-types", (el) => {
      (el as unknown as { value: string }).value = "load/*";
    });
    await page.click("#stream-form button[type=submit]");
    await page.type("#plot-type", "load/0");
    await page.type("#plot-field", "value");
    await page.click("#plot-form button[type=submit]");
    await page.waitForSelector("#plot canvas", WAIT);
  } catch (error) {
    await launched[Symbol.asyncDispose]();
    throw error;
  }
  return {
    updates: () =>
      page.evaluate(() =>
        Number(
          (globalThis as unknown as {
            document: { body: { dataset: Record<string, string> } };
          }).document.body.dataset.liveUpdates ?? 0,
        )
      ),
    cpuSeconds: () =>
      launched.pid === undefined ? NaN : treeCpuSeconds(launched.pid),
    [Symbol.asyncDispose]: () => launched[Symbol.asyncDispose](),
  };
}
