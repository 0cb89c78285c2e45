// nats.ws in Node 20: the `ws` package stands in for the browser's WebSocket (Node 20 has none by default).
// Usage: node node-client.mjs ws://127.0.0.1:PORT [origin]
// Prints one JSON line with what the scenarios saw (scenarios.mjs).
import WS from "ws";
import * as nats from "nats.ws";
import { run } from "./scenarios.mjs";

const origin = process.argv[3];
globalThis.WebSocket = class extends WS {
  constructor(u, protocols) {
    super(u, protocols, origin ? { origin } : {});
  }
};

console.log(JSON.stringify(await run(nats, process.argv[2])));
process.exit(0);
