// Validating a JSON payload held as UTF-8 bytes: isJsonText against decoding
// and JSON.parse, and against JSON.parse of a string already decoded.
// Run: deno bench -A bench/json_text_bench.ts
// Each iteration validates BATCH texts; ns/byte = time/iter / (BATCH * size).

import { isJsonText } from "../event/_json_text.ts";

const BATCH = 1000;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// A ~1.7 KB document with nesting, numbers, escapes and non-ASCII text.
function nestedDocument(): string {
  const points = [];
  for (let i = 0; i < 12; i++) {
    points.push({
      id: `point-${i}`,
      value: i * 1234.5678 - 500,
      quality: i % 3 ? "good" : "bad\tcheck",
      tags: ["élan", "温度", i % 2 === 0],
      limits: { low: -1e-3 * i, high: 1e6 + i, unit: null },
    });
  }
  return JSON.stringify({ device: "gateway/dev12/data", points });
}

const texts = {
  "small payload": '{"value":12345.5,"quality":"good"}',
  "nested document": nestedDocument(),
};

let sink = 0;
for (const [name, text] of Object.entries(texts)) {
  const bytes = encoder.encode(text);
  const group = `${name} (${bytes.length} B)`;
  if (!isJsonText(bytes, 0, bytes.length)) {
    throw new Error("bench text invalid");
  }

  Deno.bench(`isJsonText (${name})`, { group, baseline: true }, () => {
    for (let i = 0; i < BATCH; i++) {
      if (isJsonText(bytes, 0, bytes.length)) sink++;
    }
  });

  Deno.bench(`JSON.parse(decode(bytes)) (${name})`, { group }, () => {
    for (let i = 0; i < BATCH; i++) {
      if (JSON.parse(decoder.decode(bytes)) !== null) sink++;
    }
  });

  Deno.bench(`JSON.parse(string) (${name})`, { group }, () => {
    for (let i = 0; i < BATCH; i++) {
      if (JSON.parse(text) !== null) sink++;
    }
  });
}

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});
