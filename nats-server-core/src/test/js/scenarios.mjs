// The nats.ws scenarios shared by Node (node-client.mjs) and headless Chromium (page.html). `nats` is the
// nats.ws module, `url` the server's ws:// URL. Returns what each scenario saw; the Java tests compare it between
// our server and nats-server 2.9.10.

function digest(bytes) {
  let h = 0;
  for (let i = 0; i < bytes.length; i++) {
    h = (h * 31 + bytes[i]) >>> 0;
  }
  return `${bytes.length}:${h}`;
}

// The negotiated extensions, seen on a plain socket of the same WebSocket implementation.
function extensions(url) {
  return new Promise((resolve) => {
    const s = new WebSocket(url);
    s.onopen = () => { resolve(s.extensions || ""); s.close(); };
    s.onerror = (e) => resolve("error" + (e && e.message ? ": " + e.message : ""));
  });
}

export async function run(nats, url) {
  const { connect, StringCodec } = nats;
  const sc = StringCodec();
  const out = {};
  try {
    out.extensions = await extensions(url);
    const nc = await connect({ servers: url, name: "nats-ws-test", timeout: 5000 });
    out.server_version = nc.info.version;
    out.max_payload = nc.info.max_payload;

    // pub/sub
    const sub = nc.subscribe("t.pubsub", { max: 3 });
    const got = (async () => { const m = []; for await (const x of sub) m.push(sc.decode(x.data)); return m; })();
    for (const w of ["one", "two", "three"]) nc.publish("t.pubsub", sc.encode(w));
    out.pubsub = await got;

    // request/reply
    const svc = nc.subscribe("t.echo");
    (async () => { for await (const m of svc) m.respond(sc.encode("echo:" + sc.decode(m.data))); })();
    const r = await nc.request("t.echo", sc.encode("hi"), { timeout: 5000 });
    out.reply = sc.decode(r.data);

    // large messages, split across many frames both ways
    const big = new Uint8Array(700 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7 + 13) & 0xff;
    const bigSub = nc.subscribe("t.big", { max: 2 });
    const bigGot = (async () => { const m = []; for await (const x of bigSub) m.push(digest(x.data)); return m; })();
    nc.publish("t.big", big);
    nc.publish("t.big", big.subarray(0, 70000));
    out.big = await bigGot;
    out.big_sent = [digest(big), digest(big.subarray(0, 70000))];

    // many small messages in few flushes
    const manySub = nc.subscribe("t.many", { max: 5000 });
    const manyGot = (async () => { let n = 0; for await (const x of manySub) n += x.data.length; return n; })();
    for (let i = 0; i < 5000; i++) nc.publish("t.many", sc.encode("m" + i));
    out.many_bytes = await manyGot;

    await nc.flush();
    await nc.close();
    const err = await nc.closed();
    out.closed = err ? String(err) : "ok";
  } catch (e) {
    out.error = (e && (e.code || e.message)) ? `${e.code || ""} ${e.message || ""}`.trim() : String(e);
  }
  return out;
}
