// A Cloudflare Worker in JavaScript using the package (the `workerd` build).
import { verify } from "signhook";

export default {
  async fetch(request, env) {
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
