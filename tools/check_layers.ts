// Keeps the layering of STYLE.md true: every layer imports only downward.
// Run: deno run -A tools/check_layers.ts

const layers: Record<string, number> = {
  "codec": 0,
  "event": 1,
  "chatter": 1,
  "client.ts": 2,
  "server.ts": 2,
  "eventer": 2,
  "monitor": 2,
  "mod.ts": 3,
  "event_server": 4,
};

// Which lower layers each layer may not import even though they are lower.
const forbidden: Record<string, string[]> = {
  "event": ["chatter"],
  "chatter": ["event"],
  "monitor": ["event"],
};

function layerOf(path: string): string | undefined {
  const top = path.split("/")[0];
  return top in layers ? top : undefined;
}

const importRe = /(?:import|export)[^'"]*?from\s*["']([^"']+)["']/g;
let problems = 0;

async function walk(dir: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = dir === "." ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory) {
      if (
        ["tests", "bench", "tools", "node_modules", ".git"].includes(
          entry.name,
        )
      ) continue;
      await walk(path);
    } else if (entry.name.endsWith(".ts")) {
      await checkFile(path);
    }
  }
}

async function checkFile(path: string): Promise<void> {
  const from = layerOf(path);
  if (from === undefined) return;
  const text = await Deno.readTextFile(path);
  for (const m of text.matchAll(importRe)) {
    const spec = m[1];
    if (!spec.startsWith(".")) continue;
    const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".";
    const target = new URL(spec, `file:///${dir}/`).pathname.slice(1);
    const to = layerOf(target);
    if (to === undefined || to === from) continue;
    const ok = layers[to] < layers[from] &&
        !(forbidden[from] ?? []).includes(to) ||
      // client.ts, server.ts and their private eventer/ are one layer.
      (layers[from] === 2 && layers[to] === 2);
    if (!ok) {
      console.error(`${path}: imports ${spec} (layer ${to} from ${from})`);
      problems++;
    }
  }
}

await walk(".");
if (problems > 0) {
  console.error(`${problems} import(s) break the layering`);
  Deno.exit(1);
}
console.log("layers ok");
