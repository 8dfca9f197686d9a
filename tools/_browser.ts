// Starts the system's headless Chromium (the Debian package `chromium`, or
// $CHROMIUM) for the tools and tests that open the web view, driven over
// the DevTools protocol by puppeteer-core (which never downloads a
// browser). The flags keep it off the network; each start gets a fresh
// profile, removed on close.

import puppeteer, { type Browser, type Page } from "npm:puppeteer-core@25.19.0";

export type { Browser, Page };

/** Where the browser is: $CHROMIUM, or the Debian package's path. */
export const CHROMIUM: string = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";

/** Whether the browser is there. */
export const HAS_CHROMIUM: boolean = await Deno.stat(CHROMIUM).then(
  (s) => s.isFile,
  () => false,
);

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

/** A running browser with a fresh profile. */
export interface LaunchedBrowser extends AsyncDisposable {
  readonly browser: Browser;
  /** Its first page. */
  readonly page: Page;
  /** The browser's process id (for its CPU time). */
  readonly pid: number | undefined;
}

/** Starts the browser with a page of `viewport`'s size. */
export async function launchBrowser(
  viewport = { width: 1400, height: 1000 },
): Promise<LaunchedBrowser> {
  if (!HAS_CHROMIUM) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM`,
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
  return {
    browser,
    page,
    pid: browser.process()?.pid,
    async [Symbol.asyncDispose]() {
      await browser.close();
      await Deno.remove(profile, { recursive: true });
    },
  };
}
