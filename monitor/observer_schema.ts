/**
 * The SBS schema of the Hat monitor observer protocol (module
 * `HatObserver`), exactly as hat-monitor 0.8 uses it.
 *
 * @module
 */

/**
 * The text of `observer.sbs` (module `HatObserver`): the component side
 * (`MsgClient`, `MsgServer`, `MsgClose`) and the monitor-to-monitor side
 * (`MsgSlave`, `MsgMaster`), which this package does not speak.
 *
 * @example
 * ```ts
 * import { OBSERVER_SBS } from "@hat/eventer/monitor";
 * import assert from "node:assert/strict";
 *
 * assert.ok(OBSERVER_SBS.startsWith("module HatObserver\n"));
 * assert.match(OBSERVER_SBS, /^MsgClient = Record \{$/m);
 * ```
 */
export const OBSERVER_SBS: string = `module HatObserver

MsgClient = Record {
    name:         String
    group:        String
    data:         String
    blessingRes:  BlessingRes
}

MsgServer = Record {
    cid:         Integer
    mid:         Integer
    components:  Array(ComponentInfo)
}

MsgClose = None

MsgSlave = Record {
    components:  Array(ComponentInfo)
}

MsgMaster = Record {
    mid:         Integer
    components:  Array(ComponentInfo)
}

ComponentInfo = Record {
    cid:          Integer
    mid:          Integer
    name:         Optional(String)
    group:        Optional(String)
    data:         String
    rank:         Integer
    blessingReq:  BlessingReq
    blessingRes:  BlessingRes
}

BlessingReq = Record {
    token:      Optional(Integer)
    timestamp:  Optional(Float)
}

BlessingRes = Record {
    token:  Optional(Integer)
    ready:  Boolean
}
`;
