// The reconnect settings: defaults, and the backoff they describe.

import assert from "node:assert/strict";
import {
  backoffDelay,
  resolveReconnect,
} from "../../eventer/_reconnect_options.ts";

Deno.test("reconnect: true takes the defaults, in milliseconds", () => {
  assert.deepEqual(resolveReconnect(true, undefined), {
    delay: 500,
    maxDelay: 10_000,
    connectTimeout: 10_000,
    requestTimeout: 10_000,
  });
  assert.equal(resolveReconnect(false, 5), null);
  assert.equal(resolveReconnect(undefined, undefined), null);
  // a delay above the default maxDelay raises maxDelay's default with it
  assert.equal(resolveReconnect({ delay: 20 }, undefined)?.maxDelay, 20_000);
  assert.equal(resolveReconnect(true, Infinity)?.requestTimeout, Infinity);
});

Deno.test("backoffDelay() doubles from delay up to maxDelay, jittered between half and all of it", () => {
  const policy = { delay: 500, maxDelay: 10_000 };
  const low = (k: number) => backoffDelay(k, policy, () => 0);
  const high = (k: number) => backoffDelay(k, policy, () => 0.999999);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6].map(low),
    [250, 500, 1000, 2000, 4000, 5000, 5000],
  );
  for (let k = 0; k < 7; k++) {
    const full = Math.min(10_000, 500 * 2 ** k);
    assert.ok(high(k) < full && high(k) > full * 0.999);
  }
  // rounds far past the cap stay at it
  assert.equal(backoffDelay(10_000, policy, () => 0), 5000);
});
