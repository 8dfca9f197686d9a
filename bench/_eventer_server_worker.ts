// A Worker running the benchmark server (registers and echoes to
// subscribers), so that server and clients run on different threads as in
// a deployment. Posts the server's port, closes on any message.

import type { Event } from "../event/mod.ts";
import { listen } from "../server.ts";

declare const self: {
  onmessage: (() => void) | null;
  postMessage(data: unknown): void;
  close(): void;
};

let session = 0;
const timestamp = { s: 1_800_000_000, us: 0 };
const server = await listen({ hostname: "127.0.0.1", port: 0 }, {
  onRegister: async (_info, registerEvents) => {
    session++;
    const events: Event[] = new Array(registerEvents.length);
    for (let i = 0; i < registerEvents.length; i++) {
      events[i] = {
        id: { server: 1, session, instance: i + 1 },
        timestamp,
        ...registerEvents[i],
      };
    }
    await server.notifyEvents(events);
    return events;
  },
});
self.onmessage = async () => {
  await server.close();
  self.postMessage("closed");
  self.close();
};
self.postMessage(server.addrs[0].port);
