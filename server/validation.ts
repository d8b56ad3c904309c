/**
 * The one JSON Schema validator of the server, and the patterns its schemas share. Every schema
 * (inbound messages, room input schemas, dev-seat bodies) is checked the same way: strict schemas,
 * no type coercion, no defaults filled in, stop at the first error.
 */
import { Ajv2020, type AnySchemaObject, type ValidateFunction } from 'ajv/dist/2020.js';

/** The shared Ajv instance. Schemas with an `$id` go through {@link compileOnce}. */
export const ajv = new Ajv2020({ strict: true, allErrors: false, coerceTypes: false, useDefaults: false });

export { MODE_NAME } from '../shared/protocol/schemas/names.ts';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * A Content-Type that declares JSON in UTF-8 (RFC 8259): `application/json` or `application/*+json`,
 * with no charset or `charset=utf-8`. JSON endpoints accept nothing else, which also keeps them out
 * of reach of cross-site form posts (those can only send form or `text/plain` bodies).
 */
export function isJsonContentType(header: string | undefined): boolean {
  const [mediaType = '', ...parameters] = (header ?? '').split(';').map((p) => p.trim());
  if (!JSON_MEDIA_TYPE.test(mediaType)) return false;
  const charset = parameters.find((p) => p.toLowerCase().startsWith('charset='));
  return charset === undefined || /^charset="?utf-8"?$/i.test(charset);
}

/**
 * Compile a schema that carries an `$id`, or reuse the validator already registered under it:
 * Ajv refuses a second schema with the same id, and a process may load its module more than once.
 */
export function compileOnce(schema: AnySchemaObject & { $id: string }): ValidateFunction {
  return ajv.getSchema(schema.$id) ?? ajv.compile(schema);
}
