// The TypeScript twin of the reference peer's engine module
// (refpeer/modules/ref_module.py), written as a module author would, with
// no import from this package: for each `mod/in/*` event it registers
// `mod/out/*` with the input's JSON data, the session id it was told at
// the session's start and the count of events it processed; for
// `mod/in/chain` also `mod/in/chained`, which the engine feeds back to it.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface Event {
  readonly id: { server: number; session: number; instance: number };
  readonly type: readonly string[];
  readonly payload: { kind: string; data?: unknown } | null;
}

interface Out {
  type: string[];
  sourceTimestamp: null;
  payload: { kind: "json"; data: Json };
}

export const info = {
  create() {
    let session: number | null = null;
    let count = 0;
    return {
      subscription: [["mod", "in", "*"]],
      onSessionStart(sessionId: number) {
        session = sessionId;
      },
      onSessionStop(_sessionId: number) {},
      process(_source: unknown, event: Event): Out[] {
        count++;
        const data = event.payload?.kind === "json"
          ? event.payload.data as Json
          : null;
        const out: Out[] = [{
          type: ["mod", "out", ...event.type.slice(2)],
          sourceTimestamp: null,
          payload: { kind: "json", data: { in: data, session, count } },
        }];
        if (event.type.join("/") === "mod/in/chain") {
          const { server, session: s, instance } = event.id;
          out.push({
            type: ["mod", "in", "chained"],
            sourceTimestamp: null,
            payload: {
              kind: "json",
              data: { chained_from: [server, s, instance] },
            },
          });
        }
        return out;
      },
    };
  },
};
