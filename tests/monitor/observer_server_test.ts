// The in-test monitor server writes the bytes the Python monitor server
// wrote: the recorded connections' inputs, replayed in their recorded order
// into ObserverCore, give the recorded MsgServer/MsgClose frames, byte for
// byte (chatter envelope included).

import assert from "node:assert/strict";
import { encodeFrame, encodeMsg } from "../../chatter/mod.ts";
import { ObserverCore } from "./_monitor_server.ts";
import {
  frameMsg,
  isFrame,
  loadTranscript,
  type Name,
  NAMES,
  sigtermAt,
  toHex,
} from "./_transcripts.ts";

type Step =
  | { t: number; kind: "open" | "eof"; name: Name }
  | { t: number; kind: "msg"; name: Name; type: string; data: Uint8Array }
  | { t: number; kind: "sigterm" };

function replay() {
  const steps: Step[] = [{ t: sigtermAt(), kind: "sigterm" }];
  const recorded = new Map<Name, string[]>();
  const tokens = new Map<number, number>();
  for (const name of NAMES) {
    const entries = loadTranscript(name);
    recorded.set(
      name,
      entries.filter((e) => e.dir === "s2c").map((e) =>
        isFrame(e) ? e.hex : ""
      ),
    );
    for (const e of entries) {
      if (e.dir === "open") steps.push({ t: e.t_ms, kind: "open", name });
      if (e.dir === "c2s_eof") steps.push({ t: e.t_ms, kind: "eof", name });
      if (!isFrame(e)) continue;
      if (e.dir === "c2s") {
        const m = frameMsg(e);
        steps.push({
          t: e.t_ms,
          kind: "msg",
          name,
          type: m.data.type,
          data: m.data.data,
        });
      } else if (e.msg.type === "HatObserver.MsgServer") {
        const inner = e.inner as {
          components: {
            blessingReq: { token: unknown[]; timestamp: unknown[] };
          }[];
        };
        for (const c of inner.components) {
          const [kind, token] = c.blessingReq.token;
          if (kind === "value") {
            tokens.set(token as number, c.blessingReq.timestamp[1] as number);
          }
        }
      }
    }
  }
  steps.sort((a, b) => a.t - b.t);
  // The monitor's clock, as it was when it issued tokens 1, 2, ...
  const clock = [...tokens.entries()].sort((a, b) => a[0] - b[0]);
  const core = new ObserverCore({
    groupAlgorithms: { event: "BLESS_ONE" },
    now: () => {
      const next = clock.shift();
      assert.ok(next, "the core issued more tokens than the monitor did");
      return next[1];
    },
  });
  const cids = new Map<Name, number>();
  const names = new Map<number, Name>();
  const written = new Map<Name, string[]>(NAMES.map((n) => [n, []]));
  const ids = new Map<Name, number>();
  const write = (
    outputs: { cid: number; type: string; data: Uint8Array }[],
  ) => {
    for (const o of outputs) {
      const name = names.get(o.cid)!;
      const id = (ids.get(name) ?? 0) + 1;
      ids.set(name, id);
      const body = encodeMsg({
        id,
        first: id,
        owner: true,
        token: true,
        last: true,
        data: { type: o.type, data: o.data },
      });
      written.get(name)!.push(toHex(encodeFrame(body)));
    }
  };
  for (const s of steps) {
    if (s.kind === "open") {
      const { cid, outputs } = core.connect();
      cids.set(s.name, cid);
      names.set(cid, s.name);
      write(outputs);
    } else if (s.kind === "msg") {
      write(core.receive(cids.get(s.name)!, s.type, s.data).outputs);
    } else if (s.kind === "eof") {
      write(core.disconnect(cids.get(s.name)!));
    } else {
      write(core.closeAll());
    }
  }
  return { recorded, written, cids };
}

Deno.test("the test monitor numbers the recorded connections as the Python one did", () => {
  const { cids } = replay();
  assert.deepEqual(Object.fromEntries(cids), {
    event_a: 1,
    event_b: 2,
    bad_client: 3,
  });
});

for (const name of NAMES) {
  Deno.test(`the test monitor writes the Python monitor's frames to ${name}`, () => {
    const { recorded, written } = replay();
    assert.deepEqual(written.get(name), recorded.get(name));
  });
}

Deno.test("the recorded transcripts hold a blessing handover and both MsgClose causes", () => {
  const types = (name: Name) =>
    loadTranscript(name).filter(isFrame).filter((f) => f.dir === "s2c")
      .map((f) => f.msg.type);
  // bad_client: closed for a message a component never sends.
  assert.equal(types("bad_client").at(-1), "HatObserver.MsgClose");
  // event_b: closed when the monitor stopped (SIGTERM).
  assert.equal(types("event_b").at(-1), "HatObserver.MsgClose");
  assert.ok(!types("event_a").includes("HatObserver.MsgClose"));
});
