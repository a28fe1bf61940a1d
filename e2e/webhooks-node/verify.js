// Runs Standard Webhooks cases through the official npm package
// standardwebhooks, for e2e/webhooks/node_test.go: reads a JSON array of
// cases on stdin, writes a JSON array of results on stdout.
//
//   {"op":"verify","secret":"whsec_…","body":"<base64>","headers":{…}}
//     → {"ok":true,"payload":…} or {"ok":false,"error":"…"}
//   {"op":"sign","secret":"whsec_…","id":"…","timestamp":<unix s>,"body":"<base64>"}
//     → {"signature":"v1,…"}
//
// verify is called the way doc.go's Express example calls it: the raw body
// as a Buffer and the headers as Node's lower-case header object.
"use strict";
const { Webhook } = require("standardwebhooks");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const results = JSON.parse(input).map((c) => {
    const wh = new Webhook(c.secret);
    const body = Buffer.from(c.body, "base64");
    if (c.op === "sign") {
      return { signature: wh.sign(c.id, new Date(c.timestamp * 1000), body) };
    }
    try {
      return { ok: true, payload: wh.verify(body, c.headers) };
    } catch (err) {
      return { ok: false, error: `${err.name}: ${err.message}` };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
