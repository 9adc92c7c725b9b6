// A Dropbox Sign fixture body's JSON payload, for the JS test suites: the multipart field
// `json` as tests/fixtures/generate.py lays it out (one part, CRLF), or the body itself
// when it is JSON. Written independently of the crate's reader (src/providers/multipart.rs).

/**
 * `{ json, wrap }`: the payload's text, and `wrap(other)`, the same body with another
 * payload in its place (a Buffer).
 */
export function multipartJson(body) {
  const text = Buffer.from(body).toString("utf8");
  if (!text.startsWith("--")) return { json: text, wrap: (json) => Buffer.from(json) };
  const boundary = text.slice(2, text.indexOf("\r\n"));
  const head = 'name="json"\r\n\r\n';
  const start = text.indexOf(head) + head.length;
  const end = text.indexOf(`\r\n--${boundary}`, start);
  return { json: text.slice(start, end), wrap: (json) => Buffer.from(text.slice(0, start) + json + text.slice(end)) };
}
