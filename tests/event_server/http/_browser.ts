// The browser tests' browser (tools/_browser.ts: the system's headless
// Chromium). Without it the tests are skipped with a message, except under
// CI=true, where they fail: CI must run them.

import {
  CHROMIUM,
  HAS_CHROMIUM,
  launchBrowser,
  type Page,
} from "../../../tools/_browser.ts";

const ci = Deno.env.get("CI") === "true";

/** Whether browser tests are skipped (no browser, and not CI). */
export const SKIP_BROWSER: boolean = !HAS_CHROMIUM && !ci;

if (SKIP_BROWSER) {
  console.warn(
    `browser tests skipped: no Chromium at ${CHROMIUM} ` +
      "(apt-get install chromium, or set CHROMIUM; CI=true makes this a failure)",
  );
}

/** Screenshots of the tests go here (a temporary folder, not the repo). */
export const SHOTS: string = `${
  Deno.env.get("TMPDIR") ?? "/tmp"
}/hat_eventer_page_tests`;

/** A browser with a fresh profile, and a page in it. */
export interface TestBrowser extends AsyncDisposable {
  readonly page: Page;
  /** Errors the page threw or logged. */
  readonly errors: string[];
  /** Saves a screenshot of the page as `SHOTS/<name>.png`. */
  shot(name: string): Promise<string>;
}

/** Starts the browser (fails under CI=true when it is missing). */
export async function launch(): Promise<TestBrowser> {
  if (!HAS_CHROMIUM) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: CI=true requires the browser tests ` +
        "(.ci/run installs the Debian package chromium)",
    );
  }
  const launched = await launchBrowser();
  const page = launched.page;
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  return {
    page,
    errors,
    async shot(name) {
      await Deno.mkdir(SHOTS, { recursive: true });
      const path = `${SHOTS}/${name}.png`;
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    [Symbol.asyncDispose]: () => launched[Symbol.asyncDispose](),
  };
}
