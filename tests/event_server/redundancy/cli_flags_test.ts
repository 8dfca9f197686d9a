import assert from "node:assert/strict";
import { startMonitorServer } from "../../monitor/_monitor_server.ts";
import { cli, serveProcess } from "../_cli.ts";
import { startServer } from "./_group.ts";

Deno.test("serve --peer syncs the events of the server given on the command line", async () => {
  await using a = await startServer({ serverId: 1, name: "a" });
  await using _b = await serveProcess([
    "--memory",
    "--server-id",
    "2",
    "--name",
    "b",
    "--peer",
    `1@${a.address}`,
  ]);
  // b's client registers its progress on a.
  await a.until(
    () =>
      a.seen.some((e) =>
        e.type.join("/") === "event/2/synced/1" &&
        JSON.stringify(e.payload).includes(`"state":"SYNCED"`)
      ),
    "b SYNCED",
  );
  assert.ok(
    a.seen.some((e) => e.type.join("/") === "event/1/eventer/event/b"),
  );
});

Deno.test("serve --monitor, --group and --name join that group under that name", async () => {
  await using monitor = await startMonitorServer();
  await using _server = await serveProcess([
    "--memory",
    "--name",
    "x",
    "--monitor",
    `127.0.0.1:${monitor.addr.port}`,
    "--group",
    "events",
  ]);
  await monitor.until((core) =>
    core.components.some((c) =>
      c.name === "x" && c.group === "events" && c.res.ready
    )
  );
});

Deno.test("serve refuses a malformed --peer and --group without a monitor", async (t) => {
  const cases: [string[], RegExp][] = [
    [["--peer", "127.0.0.1:5000"], /Invalid --peer: expected ID@HOST:PORT/],
    [
      ["--peer", "2@nowhere"],
      /Invalid peers\[0\]\.address: expected host:port/,
    ],
    [["--peer", "1@127.0.0.1:5000"], /the id of this server/],
    [["--group", "g"], /Invalid monitorComponent\.address: missing/],
    [
      ["--monitor", "127.0.0.1:1", "--peer", "2@127.0.0.1:5000"],
      /Invalid peers: not with monitorComponent/,
    ],
    [["--name", ""], /Invalid name/],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const run = await cli(["serve", "--memory", ...args]);
      assert.equal(run.code, 1);
      assert.match(run.stderr, message);
    });
  }
});
