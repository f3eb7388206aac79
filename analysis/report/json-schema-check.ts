/**
 * A small JSON Schema (draft 2020-12) validator for exactly the keywords report.schema.json uses:
 * type (one or a list; "integer" is a number with no fraction), enum, required, properties,
 * additionalProperties (false or a schema), items, pattern, minimum, and `$ref` to "#/$defs/…".
 * Any other keyword in a schema is reported as unsupported, so the schema cannot silently grow
 * past what the tests check. No package: the project has none for JSON Schema.
 */

export type JsonSchema = Record<string, unknown>;

const SUPPORTED = new Set([
  '$schema', '$id', '$ref', '$defs', 'title', 'description',
  'type', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'pattern', 'minimum',
]);

export interface SchemaError {
  /** JSON Pointer (RFC 6901) of the offending value. */
  path: string;
  message: string;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function matchesType(v: unknown, t: string): boolean {
  switch (t) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'object':
      return typeOf(v) === 'object';
    default:
      return typeOf(v) === t;
  }
}

const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

export function validateJsonSchema(value: unknown, root: JsonSchema, maxErrors = 50): SchemaError[] {
  const errors: SchemaError[] = [];
  const patterns = new Map<string, RegExp>();
  const resolve = (ref: string): JsonSchema => {
    const m = /^#\/\$defs\/([A-Za-z0-9_-]+)$/.exec(ref);
    const defs = root['$defs'] as Record<string, JsonSchema> | undefined;
    const target = m ? defs?.[m[1]!] : undefined;
    if (!target) throw new Error(`unsupported or unknown $ref ${ref}`);
    return target;
  };
  const visit = (v: unknown, schema: JsonSchema, path: string): void => {
    if (errors.length >= maxErrors) return;
    for (const k of Object.keys(schema)) if (!SUPPORTED.has(k)) throw new Error(`unsupported schema keyword ${k} at ${path || '/'}`);
    if (typeof schema['$ref'] === 'string') {
      visit(v, resolve(schema['$ref']), path);
      return;
    }
    const fail = (message: string): void => {
      errors.push({ path: path || '/', message });
    };
    if (schema['type'] !== undefined) {
      const types = Array.isArray(schema['type']) ? (schema['type'] as string[]) : [schema['type'] as string];
      if (!types.some((t) => matchesType(v, t))) return fail(`expected ${types.join(' or ')}, got ${typeOf(v)}`);
    }
    if (Array.isArray(schema['enum']) && !(schema['enum'] as unknown[]).some((e) => e === v)) return fail(`not one of ${JSON.stringify(schema['enum'])}`);
    if (typeof v === 'number' && typeof schema['minimum'] === 'number' && v < schema['minimum']) fail(`below the minimum ${schema['minimum']}`);
    if (typeof v === 'string' && typeof schema['pattern'] === 'string') {
      let re = patterns.get(schema['pattern']);
      if (!re) {
        re = new RegExp(schema['pattern'], 'u');
        patterns.set(schema['pattern'], re);
      }
      if (!re.test(v)) fail(`does not match ${schema['pattern']}`);
    }
    if (Array.isArray(v) && schema['items'] && typeof schema['items'] === 'object') {
      v.forEach((item, i) => visit(item, schema['items'] as JsonSchema, `${path}/${i}`));
    }
    if (typeOf(v) === 'object') {
      const o = v as Record<string, unknown>;
      for (const r of (schema['required'] as string[] | undefined) ?? []) if (!Object.prototype.hasOwnProperty.call(o, r)) fail(`missing required property ${r}`);
      const props = (schema['properties'] as Record<string, JsonSchema> | undefined) ?? {};
      const extra = schema['additionalProperties'];
      for (const [k, child] of Object.entries(o)) {
        const p = `${path}/${escapePointer(k)}`;
        if (Object.prototype.hasOwnProperty.call(props, k)) visit(child, props[k]!, p);
        else if (extra === false) fail(`unexpected property ${k}`);
        else if (extra && typeof extra === 'object') visit(child, extra as JsonSchema, p);
      }
    }
  };
  visit(value, root, '');
  return errors;
}
