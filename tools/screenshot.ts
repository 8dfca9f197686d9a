// Takes the README's screenshot of the web view from a real browser run:
// starts the Event Server (memory storage) as a subprocess, registers a
// small plant's events through eventer clients (a history of source-
// timestamped values, then live changes), opens the page in headless
// Chromium, opens the tree, plots a temperature, filters the stream, runs
// a query, and saves the page as a PNG.
//
// Run: deno task screenshot [--out docs/web.png]

import { connect } from "../client.ts";
import type { RegisterEvent } from "../event/mod.ts";
import { launchBrowser, type Page } from "./_browser.ts";
import { startServer } from "./_server.ts";

const i = Deno.args.indexOf("--out");
const out = i >= 0
  ? Deno.args[i + 1]
  : new URL("../docs/web.png", import.meta.url).pathname;
if (out === undefined) throw new TypeError("--out needs a file");

const WAIT = { timeout: 30_000 };

function json(type: string[], data: unknown, source?: number): RegisterEvent {
  const s = source === undefined ? null : {
    s: Math.floor(source),
    us: Math.round((source % 1) * 1e6),
  };
  return {
    type,
    sourceTimestamp: s,
    payload: { kind: "json", data: data as never },
  };
}

/** A boiler temperature that drifts around its setpoint. */
function temperature(t: number): number {
  return Math.round(
    (72 + 6 * Math.sin(t / 70) + 1.5 * Math.sin(t / 9)) * 10,
  ) / 10;
}

function node(type: string[]): string {
  return `li[data-type='${JSON.stringify(type)}']`;
}

async function open(page: Page, type: string[]): Promise<void> {
  await page.waitForSelector(`${node(type)} > .line > .twisty`, WAIT);
  await page.click(`${node(type)} > .line > .twisty`);
  await page.waitForSelector(`${node(type)} > ul > li`, WAIT);
}

const server = await startServer({
  prefix: "eventer_screenshot_",
  args: ["--memory"],
});
try {
  const gateway = await connect(server.addr, "plant-gateway");
  const hmi = await connect(server.addr, "hmi", {
    subscriptions: [["plant", "*"]],
  });
  const now = Date.now() / 1000;
  // Ten minutes of history, one value every 2 s (source timestamps).
  const history: RegisterEvent[] = [];
  for (let t = now - 600; t < now; t += 2) {
    history.push(
      json(["plant", "line2", "boiler", "temperature"], {
        value: temperature(t),
        unit: "°C",
      }, t),
    );
  }
  await gateway.register(history, { withResponse: true });
  await gateway.register([
    json(["plant", "line1", "pump1", "state"], "running", now),
    json(
      ["plant", "line1", "pump1", "flow"],
      { value: 41.2, unit: "m3/h" },
      now,
    ),
    json(["plant", "line1", "pump2", "state"], "stopped", now),
    json(
      ["plant", "line2", "boiler", "setpoint"],
      { value: 72, unit: "°C" },
      now,
    ),
    json(["plant", "line2", "boiler", "state"], "heating", now),
    json(["gateway", "gw1", "link"], "CONNECTED", now),
  ], { withResponse: true });
  // Live changes while the page is open.
  let t = now;
  const live = setInterval(() => {
    t = Date.now() / 1000;
    gateway.register([
      json(["plant", "line2", "boiler", "temperature"], {
        value: temperature(t),
        unit: "°C",
      }, t),
      json(["plant", "line1", "pump1", "flow"], {
        value: Math.round((41 + Math.sin(t)) * 10) / 10,
        unit: "m3/h",
      }, t),
    ]);
  }, 250);
  try {
    await using browser = await launchBrowser({ width: 1400, height: 1080 });
    const page = browser.page;
    await page.goto(server.httpUrl);
    await page.waitForSelector("#link.link-up", WAIT);
    await open(page, ["plant"]);
    await open(page, ["plant", "line1"]);
    await open(page, ["plant", "line1", "pump1"]);
    await open(page, ["plant", "line2"]);
    await open(page, ["plant", "line2", "boiler"]);
    await page.type("#plot-type", "plant/line2/boiler/temperature");
    await page.type("#plot-field", "value");
    await page.select("#plot-range", "3600");
    await page.select("#plot-by", "sourceTimestamp");
    await page.click("#plot-form button[type=submit]");
    await page.waitForSelector("#plot canvas", WAIT);
    await page.$eval("#stream-types", (el) => {
      (el as unknown as { value: string }).value = "plant/*";
    });
    await page.click("#stream-form button[type=submit]");
    await page.type("#q-types", "plant/line1/*");
    await page.$eval("#q-max", (el) => {
      (el as unknown as { value: string }).value = "6";
    });
    await page.click("#query-form button[type=submit]");
    await page.waitForSelector("#query-results tbody tr", WAIT);
    // A few live updates: rates in the counters, rows in the stream.
    await page.waitForFunction(
      () =>
        Number(
          (globalThis as unknown as {
            document: { body: { dataset: Record<string, string> } };
          }).document.body.dataset.liveUpdates,
        ) > 12,
      WAIT,
    );
    await page.screenshot({ path: out, fullPage: true });
  } finally {
    clearInterval(live);
    await gateway.close();
    await hmi.close();
  }
} finally {
  await server.stop();
}
console.log(`screenshot: ${out}`);
