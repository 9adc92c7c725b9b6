// A Cloudflare Worker in JavaScript using the package (the `workerd` build).
import { verify } from "signhook";
// The diagnosis has its own module and entry; a Worker that only verifies never loads it.
import { diagnose } from "signhook/diagnose";

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === "/diagnose") {
      const d = diagnose({ headers: request.headers, body: await request.arrayBuffer(), secrets: [env.ZOHO_SIGN_SECRET] });
      return Response.json({ verdict: d.verdict, findings: d.findings.map((f) => f.code) });
    }
    try {
      const event = verify({
        provider: "zoho-sign",
        headers: request.headers,
        body: await request.arrayBuffer(),
        secrets: [env.ZOHO_SIGN_SECRET],
      });
      return Response.json(event);
    } catch (err) {
      if (!err.code) throw err;
      return Response.json({ code: err.code, detail: err.message }, { status: err.status });
    }
  },
};
