/// <reference lib="dom" />
// The web view in a real browser (headless Chromium): the page loads,
// shows what an eventer client registers, live, draws a plot and runs
// queries. Screenshots go to a temporary folder (see _browser.ts).

import assert from "node:assert/strict";
import { type Client, connect } from "../../../client.ts";
import type { Timestamp } from "../../../event/mod.ts";
import type { Page } from "../../../tools/_browser.ts";
import { launch, SKIP_BROWSER } from "./_browser.ts";
import { registerUntilDropped } from "./_rounds.ts";
import { jsonEvent, startWeb } from "./_web.ts";

const WAIT = { timeout: 20_000 };

function node(type: string[]): string {
  return `li[data-type='${JSON.stringify(type)}']`;
}

async function open(page: Page, type: string[]): Promise<void> {
  await page.waitForSelector(
    `${node(type)} > .line > .twisty:not([disabled])`,
    WAIT,
  );
  await page.click(`${node(type)} > .line > .twisty`);
  await page.waitForSelector(`${node(type)} > ul > li`, WAIT);
}

/** The text of the latest value shown for a type (waits for one). */
async function valueOf(page: Page, type: string[]): Promise<string> {
  const sel = `${node(type)} > .line .latest .value`;
  await page.waitForSelector(sel, WAIT);
  return await page.$eval(sel, (el) => el.textContent ?? "");
}

async function valueBecomes(page: Page, type: string[], text: string) {
  await page.waitForFunction(
    (sel: string, want: string) =>
      document.querySelector(sel)?.textContent === want,
    WAIT,
    `${node(type)} > .line .latest .value`,
    text,
  );
}

async function register(
  client: Client,
  type: string[],
  data: unknown,
  sourceTimestamp: Timestamp | null = null,
) {
  const result = await client.register(
    [{ ...jsonEvent(type, data), sourceTimestamp }],
    { withResponse: true },
  );
  assert.notEqual(result, null);
}

Deno.test({
  name:
    "the page in a browser shows the tree, live values, a plot, the stream and queries",
  ignore: SKIP_BROWSER,
  async fn(t) {
    await using web = await startWeb({ updatePeriod: 100 });
    await using client = await connect(web.engine.addrs[0], "gateway");
    for (let i = 0; i < 20; i++) {
      await register(client, ["plant", "dev1", "temp"], { value: 20 + i / 10 });
    }
    // 2023-11-14 22:13:20.123456 UTC
    const source = { s: 1_700_000_000, us: 123_456 };
    await register(client, ["plant", "dev1", "state"], "on", source);
    await register(client, ["plant", "dev2", "temp"], { value: 18 });
    await using b = await launch();
    const page = b.page;
    try {
      await page.goto(web.url);
      await page.waitForSelector("#link.link-up", WAIT);

      await t.step(
        "the tree opens level by level and shows latest values",
        async () => {
          await open(page, ["plant"]);
          await open(page, ["plant", "dev1"]);
          assert.equal(
            await valueOf(page, ["plant", "dev1", "temp"]),
            '{"value":21.9}',
          );
          assert.equal(await valueOf(page, ["plant", "dev1", "state"]), '"on"');
          // Each type's timestamp, and its source timestamp when it has one:
          // short (with the date when not today), whole in the title; in
          // the browser's time zone, whole minutes away from UTC.
          const times = (type: string[]) =>
            page.$$eval(
              `${node(type)} > .line .latest > :is(.time, .source)`,
              (els) =>
                els.map((
                  e,
                ) => [e.className, e.textContent, e.getAttribute("title")]),
            );
          const state = await times(["plant", "dev1", "state"]);
          assert.deepEqual(state.map(([c]) => c), ["time", "source"]);
          assert.match(
            state[0][1]!,
            /^(\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\.\d{3}$/,
          );
          assert.match(
            state[0][2]!,
            /^timestamp \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}, id 1\/\d+\/1$/,
          );
          assert.match(state[1][1]!, /^2023-11-1[45] \d\d:\d\d:20\.123$/);
          assert.match(
            state[1][2]!,
            /^source timestamp 2023-11-1[45] \d\d:\d\d:20\.123456$/,
          );
          const temp = await times(["plant", "dev1", "temp"]);
          assert.deepEqual(temp.map(([c]) => c), ["time"]);
          const segments = await page.$$eval(
            `${node(["plant"])} > ul > li.node > .line > .seg`,
            (els) => els.map((e) => e.textContent),
          );
          assert.deepEqual(segments, ["dev1", "dev2"]);
        },
      );

      await t.step(
        "a value registered by a client changes on the page, live",
        async () => {
          await register(client, ["plant", "dev1", "state"], "off");
          await valueBecomes(page, ["plant", "dev1", "state"], '"off"');
          await register(client, ["plant", "dev1", "temp"], { value: 30 });
          await valueBecomes(page, ["plant", "dev1", "temp"], '{"value":30}');
        },
      );

      await t.step("a new type appears in the open level", async () => {
        await register(client, ["plant", "dev1", "pressure"], 1.2);
        await page.waitForSelector(
          `${node(["plant", "dev1", "pressure"])}`,
          WAIT,
        );
        await valueBecomes(page, ["plant", "dev1", "pressure"], "1.2");
      });

      await t.step(
        "the plot draws a type's values and extends them live",
        async () => {
          await page.click(`${node(["plant", "dev1", "temp"])} .plot-btn`);
          await page.type("#plot-field", "value");
          await page.click("#plot-form button[type=submit]");
          await page.waitForFunction(
            () =>
              Number(document.getElementById("plot")?.dataset.points) === 21,
            WAIT,
          );
          await register(client, ["plant", "dev1", "temp"], { value: 25 });
          await page.waitForFunction(
            () =>
              Number(document.getElementById("plot")?.dataset.points) === 22,
            WAIT,
          );
          // Pixels of the line's colour on the chart's canvas.
          const drawn = await page.$eval("#plot canvas", (canvas) => {
            const c = canvas as HTMLCanvasElement;
            const data =
              c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 0; i < data.length; i += 4) {
              if (data[i + 2] > 150 && data[i] < 110 && data[i + 3] > 0) n++;
            }
            return n;
          });
          assert.ok(drawn > 50, `${drawn} pixels of the line`);
        },
      );

      await t.step(
        "the stream shows arriving events matching its types, and pauses",
        async () => {
          await page.$eval(
            "#stream-types",
            (el) => (el as HTMLInputElement).value = "",
          );
          await page.type("#stream-types", "plant/dev2/*");
          await page.click("#stream-form button[type=submit]");
          await register(client, ["plant", "dev2", "temp"], { value: 19 });
          await register(client, ["plant", "dev1", "temp"], { value: 26 });
          await page.waitForFunction(
            () =>
              document.querySelector("#stream tbody tr td:nth-child(3)")
                ?.textContent === '{"value":19}',
            WAIT,
          );
          const types = await page.$$eval(
            "#stream tbody tr td:nth-child(2)",
            (tds) => tds.map((td) => td.textContent),
          );
          assert.ok(
            types.every((type) => type === "plant/dev2/temp"),
            types.join(),
          );
          await page.click("#stream-pause");
          const rows = await page.$$eval("#stream tbody tr", (r) => r.length);
          await register(client, ["plant", "dev2", "temp"], { value: 20 });
          // The value reaches the tree (an update came) but not the stream.
          await open(page, ["plant", "dev2"]);
          await valueBecomes(page, ["plant", "dev2", "temp"], '{"value":20}');
          assert.equal(
            await page.$$eval("#stream tbody tr", (r) => r.length),
            rows,
          );
        },
      );

      await t.step("a timeseries query answers a page at a time", async () => {
        await page.select("#q-kind", "timeseries");
        await page.type("#q-types", "plant/dev1/temp");
        await page.$eval(
          "#q-max",
          (el) => (el as HTMLInputElement).value = "5",
        );
        await page.click("#query-form button[type=submit]");
        const payloads = () =>
          page.$$eval(
            "#query-results tbody tr td:nth-child(5)",
            (tds) => tds.map((td) => td.textContent),
          );
        await page.waitForFunction(
          () =>
            document.querySelectorAll("#query-results tbody tr").length === 5,
          WAIT,
        );
        const first = await payloads();
        assert.deepEqual(first.slice(0, 2), ['{"value":26}', '{"value":25}']);
        await page.click("#q-next");
        await page.waitForFunction(
          () =>
            document.getElementById("q-note")?.textContent?.startsWith(
              "page 2",
            ),
          WAIT,
        );
        const second = await payloads();
        assert.equal(second.length, 5);
        assert.equal(second.some((p) => first.includes(p)), false);
        await page.click("#q-prev");
        await page.waitForFunction(
          () =>
            document.getElementById("q-note")?.textContent?.startsWith(
              "page 1",
            ),
          WAIT,
        );
        assert.deepEqual(await payloads(), first);
      });

      await t.step(
        "a latest query, and the status with the client's connection",
        async () => {
          await page.select("#q-kind", "latest");
          await page.$eval(
            "#q-types",
            (el) => (el as HTMLInputElement).value = "plant/*",
          );
          await page.click("#query-form button[type=submit]");
          await page.waitForFunction(
            () =>
              document.getElementById("q-note")?.textContent ===
                "page 1: 4 events",
            WAIT,
          );
          const names = await page.$$eval(
            "#connections tbody tr td:nth-child(2)",
            (tds) => tds.map((td) => td.textContent),
          );
          assert.deepEqual(names, ["gateway"]);
          // The counters come with the page's next update (4 a second).
          await page.waitForFunction(
            () =>
              Number(
                document.querySelector("[data-counter=registered] .number")
                  ?.textContent?.replace(/,/g, ""),
              ) >= 28,
            WAIT,
          );
        },
      );
      assert.deepEqual(b.errors, []);
    } finally {
      await b.shot("page");
    }
  },
});

Deno.test({
  name:
    "the page in a browser opened once with ?token= keeps working on its cookie",
  ignore: SKIP_BROWSER,
  async fn() {
    await using web = await startWeb({ token: "t0ken", updatePeriod: 100 });
    web.engine.register([jsonEvent(["k"], 1)]);
    await using b = await launch();
    const page = b.page;
    const refused = await page.goto(web.url);
    assert.equal(refused?.status(), 401);
    await page.goto(`${web.url}?token=t0ken`);
    assert.equal(new URL(page.url()).search, "");
    await page.waitForSelector("#link.link-up", WAIT);
    assert.equal(await valueOf(page, ["k"]), "1");
    web.engine.register([jsonEvent(["k"], 2)]);
    await valueBecomes(page, ["k"], "2");
    assert.deepEqual(b.errors.filter((e) => !/401/.test(e)), []);
  },
});

Deno.test({
  name:
    "the page in a browser stays usable with 100,000 types: 200 at a time, and a filter",
  ignore: SKIP_BROWSER,
  async fn() {
    await using web = await startWeb({ updatePeriod: 100 });
    const batch = [];
    for (let i = 0; i < 100_000; i++) {
      batch.push(jsonEvent(["many", `dev${i}`], i));
    }
    web.engine.register(batch);
    await using b = await launch();
    const page = b.page;
    await page.goto(web.url);
    await open(page, ["many"]);
    const shown = () =>
      page.$$eval(`${node(["many"])} > ul > li.node`, (els) => els.length);
    assert.equal(await shown(), 200);
    const first = await page.$$eval(
      `${node(["many"])} > ul > li.node > .line > .seg`,
      (els) => els.slice(0, 3).map((e) => e.textContent),
    );
    assert.deepEqual(first, ["dev0", "dev1", "dev2"]);
    assert.equal(await valueOf(page, ["many", "dev1"]), "1");
    await page.click(`${node(["many"])} > ul > li.more button`);
    await page.waitForFunction(
      (sel: string) => document.querySelectorAll(sel).length === 400,
      WAIT,
      `${node(["many"])} > ul > li.node`,
    );
    await page.type(`${node(["many"])} > ul input.filter`, "dev99999\n");
    await page.waitForSelector(`${node(["many", "dev99999"])}`, WAIT);
    assert.equal(await valueOf(page, ["many", "dev99999"]), "99999");
    assert.equal(await shown(), 1);
    web.engine.register([jsonEvent(["many", "dev99999"], -1)]);
    await valueBecomes(page, ["many", "dev99999"], "-1");
  },
});

Deno.test({
  name:
    "the page in a browser that stops reading (frozen) is dropped as a slow consumer and reconnects when it thaws",
  ignore: SKIP_BROWSER,
  async fn() {
    await using web = await startWeb({ updatePeriod: 20, slowTimeout: 1000 });
    web.engine.register([jsonEvent(["big"], 0)]);
    await using b = await launch();
    const page = b.page;
    await page.goto(web.url);
    await page.waitForSelector("#link.link-up", WAIT);
    await page.$eval(
      "#stream-types",
      (el) => (el as HTMLInputElement).value = "big",
    );
    await page.click("#stream-form button[type=submit]");
    const cdp = await page.createCDPSession();
    await cdp.send("Page.setWebLifecycleState", { state: "frozen" });
    // Events until the frozen page's buffers are full and it is dropped.
    const largest = await registerUntilDropped(
      web,
      100,
      "z".repeat(2000),
      60_000,
      "the frozen page to be dropped",
    );
    // At most the one update that was waiting (50 events of ~2 KB).
    assert.ok(largest < 200_000, `${largest} bytes waited for the page`);
    assert.equal(web.http.liveSessions, 0);
    await cdp.send("Page.setWebLifecycleState", { state: "active" });
    // The thawed page hears of the drop, reconnects, and goes on.
    await page.waitForSelector("#link.link-down", WAIT);
    await page.waitForSelector("#link.link-up", WAIT);
    web.engine.register([jsonEvent(["big"], "after")]);
    // Polled by time: a thawed headless page may not run animation frames.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("#stream tbody td:nth-child(3)")]
          .some((td) => td.textContent === '"after"'),
      { ...WAIT, polling: 100 },
    );
    assert.equal(web.http.liveSessions, 1);
  },
});
