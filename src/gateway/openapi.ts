import { z } from 'zod';
import { cperJsonSchema } from '../cper';
import { PROBLEM_TYPES, problemTypeUri } from './problems';
import { problemResponse } from './responses';
import type { RouteDef } from './routes';

/**
 * OpenAPI 3.1 document generated from the route table and its zod schemas (zod 4
 * `z.toJSONSchema`: request bodies and query parameters in their input form, responses in their
 * output form). Schemas with a zod `id` become components; `$defs` of every conversion are moved
 * to components.schemas with their references rewritten. The CPER JSON form comes from the CPER
 * codec (`cperJsonSchema()`), as component CperStatusBlock.
 */
type Json = Record<string, unknown>;

const CPER_COMPONENT = 'CperStatusBlock';

function rewriteRefs(node: unknown, prefix: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, prefix));
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node as Json)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) out[k] = `#/components/schemas/${prefix}${v.slice('#/$defs/'.length)}`;
    else if (k === '$ref' && v === '#') out[k] = `#/components/schemas/${prefix.replace(/\.$/, '')}`;
    else out[k] = rewriteRefs(v, prefix);
  }
  return out;
}

/** Converts a zod schema; its $defs go to `components`, the returned schema refers to them. */
function convert(schema: z.ZodType, io: 'input' | 'output', components: Json): Json {
  const js = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  const defs = (js.$defs ?? {}) as Record<string, Json>;
  delete js.$defs;
  delete js.$schema;
  for (const [name, def] of Object.entries(defs)) components[name] = rewriteRefs(def, '');
  return rewriteRefs(js, '') as Json;
}

/** The CPER JSON form under its own component name ($defs prefixed to avoid clashes). */
function cperComponent(components: Json): void {
  const js = cperJsonSchema('gesb') as Json;
  const defs = (js.$defs ?? {}) as Record<string, Json>;
  delete js.$defs;
  delete js.$schema;
  for (const [name, def] of Object.entries(defs)) components[`${CPER_COMPONENT}.${name}`] = rewriteRefs(def, `${CPER_COMPONENT}.`);
  components[CPER_COMPONENT] = rewriteRefs(js, `${CPER_COMPONENT}.`);
}

function openapiPath(p: string): string {
  return p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function buildOpenApi(routes: RouteDef[]): Json {
  const components: Json = {};
  cperComponent(components);
  const problemSchema = convert(problemResponse, 'output', components);
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    const op: Json = { summary: r.summary, operationId: `${r.method}${openapiPath(r.path).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}` };
    const params: Json[] = [];
    for (const m of r.path.matchAll(/:([A-Za-z0-9_]+)/g)) params.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
    if (r.query) {
      const q = convert(r.query, 'input', components);
      const props = (q.properties ?? {}) as Record<string, Json>;
      for (const [name, s] of Object.entries(props)) params.push({ name, in: 'query', required: false, schema: s });
    }
    if (params.length) op.parameters = params;
    if (r.body) {
      const schema = convert(r.body, 'input', components);
      op.requestBody = { required: !r.bodyOptional, content: { 'application/json': { schema } } };
    }
    const responses: Json = {};
    for (const [status, resp] of Object.entries(r.responses)) {
      const entry: Json = { description: resp.description };
      const type = resp.contentType ?? 'application/json';
      if (resp.schema) entry.content = { [type]: { schema: convert(resp.schema, 'output', components) } };
      else if (Number(status) !== 204) entry.content = { [type]: {} };
      if (resp.headers) entry.headers = Object.fromEntries(Object.entries(resp.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }]));
      responses[status] = entry;
    }
    for (const name of r.problems) {
      const p = PROBLEM_TYPES[name];
      const key = String(p.status);
      const prior = responses[key] as Json | undefined;
      const desc = `${problemTypeUri(name)}: ${p.title}`;
      responses[key] = {
        description: prior ? `${prior.description as string}; ${desc}` : desc,
        content: { 'application/problem+json': { schema: problemSchema } },
      };
    }
    if (!responses['500']) responses['500'] = { description: `${problemTypeUri('internal-error')}: ${PROBLEM_TYPES['internal-error'].title}`, content: { 'application/problem+json': { schema: problemSchema } } };
    op.responses = responses;
    if (r.auth !== false) op.security = [{ bearer: [] }];
    const path = openapiPath(r.path);
    paths[path] = { ...(paths[path] ?? {}), [r.method]: op };
  }
  // the injection body's `cper` member is the CPER JSON form
  const injection = components.Injection as Json | undefined;
  if (injection && injection.properties) {
    const props = injection.properties as Json;
    props.cper = { $ref: `#/components/schemas/${CPER_COMPONENT}`, description: 'a Generic Error Status Block in the CPER JSON form' };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'rasgw REST gateway',
      version: require('../../package.json').version as string,
      description: 'ARM RAS error-injection gateway. Errors are RFC 9457 problem+json; problem types are listed under x-problem-types and served at /problems/{name}.',
    },
    servers: [{ url: '/' }],
    paths,
    components: { schemas: components, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    'x-problem-types': Object.values(PROBLEM_TYPES).map((p) => ({ type: problemTypeUri(p.name), status: p.status, title: p.title, description: p.description })),
  };
}
