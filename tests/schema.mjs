// The published JSON Schema of the event (schema/event.schema.json), compiled once with
// npm `ajv` (draft 2020-12) and `ajv-formats`: an independent check of what the suites
// produce and of what origin receives.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SCHEMA = JSON.parse(readFileSync(path.join(ROOT, "schema/event.schema.json"), "utf8"));

const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(SCHEMA);

/** The schema errors of `event` (an object or its JSON text), as one string; "" when valid. */
export function schemaErrors(event) {
  const value = typeof event === "string" ? JSON.parse(event) : event;
  return validate(value) ? "" : ajv.errorsText(validate.errors, { separator: "; " });
}
