// A real headless Chromium (the Debian package `chromium`), driven over the
// DevTools protocol by puppeteer-core; nothing is downloaded. Without the
// browser the tests are skipped with a message, except under CI=true,
// where they fail: CI must run them.

import puppeteer, { type Browser, type Page } from "npm:puppeteer-core@25.19.0";

/** Where the browser is: $CHROMIUM, or the Debian package's path. */
export const CHROMIUM: string = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";

const found = await Deno.stat(CHROMIUM).then((s) => s.isFile, () => false);
const ci = Deno.env.get("CI") === "true";

/** Whether browser tests are skipped (no browser, and not CI). */
export const SKIP_BROWSER: boolean = !found && !ci;

if (SKIP_BROWSER) {
  console.warn(
    `browser tests skipped: no Chromium at ${CHROMIUM} ` +
      "(apt-get install chromium, or set CHROMIUM; CI=true makes this a failure)",
  );
}

/** Flags that keep the browser off the network and out of the way. */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

/** Screenshots of the tests go here (a temporary folder, not the repo). */
export const SHOTS: string = `${
  Deno.env.get("TMPDIR") ?? "/tmp"
}/hat_eventer_page_tests`;

/** A browser with a fresh profile, and a page in it. */
export interface TestBrowser extends AsyncDisposable {
  readonly browser: Browser;
  readonly page: Page;
  /** Errors the page threw or logged. */
  readonly errors: string[];
  /** Saves a screenshot of the page as `SHOTS/<name>.png`. */
  shot(name: string): Promise<string>;
}

/** Starts the browser (throws under CI=true when it is missing). */
export async function launch(
  viewport = { width: 1400, height: 1000 },
): Promise<TestBrowser> {
  if (!found) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: CI=true requires the browser tests ` +
        "(.ci/run installs the Debian package chromium)",
    );
  }
  const profile = await Deno.makeTempDir({ prefix: "eventer_chromium_" });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    userDataDir: profile,
    headless: true,
    args: FLAGS,
    defaultViewport: viewport,
  });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  return {
    browser,
    page,
    errors,
    async shot(name) {
      await Deno.mkdir(SHOTS, { recursive: true });
      const path = `${SHOTS}/${name}.png`;
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async [Symbol.asyncDispose]() {
      await browser.close();
      await Deno.remove(profile, { recursive: true });
    },
  };
}
