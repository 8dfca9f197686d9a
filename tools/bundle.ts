// Bundles the codec (codec/mod.ts, with the Wasm module inlined as base64)
// into one ESM file that runs unchanged in Node.js and browsers.
//
// Run: deno task bundle [--out DIR]   (default dist/, which git ignores)

import * as esbuild from "npm:esbuild@0.24.2";

/** Builds the bundle into `dir` and returns the path of the file. */
export async function bundle(dir: string): Promise<string> {
  const entry = new URL("../codec/mod.ts", import.meta.url).pathname;
  const outfile = `${dir.replace(/\/$/, "")}/codec.js`;
  try {
    await esbuild.build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      legalComments: "none",
      logLevel: "error",
    });
  } finally {
    await esbuild.stop();
  }
  return outfile;
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--out");
  const dir = i >= 0 ? Deno.args[i + 1] : "dist";
  if (dir === undefined) throw new TypeError("--out needs a directory");
  console.log(`bundle: ${await bundle(dir)}`);
}
