// Checks JSON against the CDS Hooks logical models that HL7 publishes for its validator
// (test/fixtures/cds-hooks/*.fsh, from github.com/HL7/cds-hooks): CDS Hooks has no JSON Schema,
// so the element lines of these models are read as one (`* path min..max type`): required
// elements, single values vs arrays, key/value objects (prefetch), primitive types, the required
// code bindings, no unknown properties except `extension`, and the models' invariants that
// ehr-embed responses could break (cds-r-1, cds-resp-3, cds-resp-6; the <140-character summary).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CDS_FIXTURES = join(import.meta.dirname, '../fixtures/cds-hooks');

interface Node {
  min: number;
  max: string;
  type: string;
  binding: string | null;
  children: Map<string, Node>;
}

// The codes of the required value sets (CDS Hooks 2.0, "Card Attributes", "Link", "Action").
const VALUE_SETS: Readonly<Record<string, readonly string[]>> = {
  'http://hl7.org/fhir/tools/ValueSet/CDSIndicator': ['info', 'warning', 'critical'],
  'http://hl7.org/fhir/tools/ValueSet/CDSLinkType': ['absolute', 'smart'],
  'http://hl7.org/fhir/tools/ValueSet/CDSSelectionBehavior': ['at-most-one', 'any'],
  'http://hl7.org/fhir/tools/ValueSet/CDSActionType': ['create', 'update', 'delete'],
};

function parseModel(name: string): Node {
  const root: Node = { min: 1, max: '1', type: 'object', binding: null, children: new Map() };
  const jsonNames = new Map<string, string>();
  const lines = readFileSync(join(CDS_FIXTURES, `${name}.fsh`), 'utf8').split('\n');
  // json-name extensions rename elements in JSON (fhirAuthorization.accessToken → access_token).
  for (let i = 0; i < lines.length; i++) {
    const m = /^\* (\S+) \^extension\[[+=]\]\.url = "http:\/\/hl7\.org\/fhir\/tools\/StructureDefinition\/json-name"/.exec(
      lines[i] as string,
    );
    const v = m ? /valueString = "([^"]+)"/.exec(lines[i + 1] ?? '') : null;
    if (m && v) jsonNames.set(m[1] as string, v[1] as string);
  }
  const at = (path: string, create: boolean): Node | undefined => {
    let node = root;
    const parts = path.split('.');
    for (let i = 0; i < parts.length; i++) {
      const key = jsonNames.get(parts.slice(0, i + 1).join('.')) ?? (parts[i] as string);
      let next = node.children.get(key);
      if (!next) {
        if (!create || i < parts.length - 1) return undefined;
        next = { min: 0, max: '1', type: 'object', binding: null, children: new Map() };
        node.children.set(key, next);
      }
      node = next;
    }
    return node;
  };
  for (const line of lines) {
    const el = /^\* ([A-Za-z.]+) (\d+)\.\.(\d+|\*) (\S+)/.exec(line);
    if (el) {
      const n = at(el[1] as string, true) as Node;
      n.min = Number(el[2]);
      n.max = el[3] as string;
      // The context is hook-specific (its own models): here any object.
      n.type = (el[4] as string).includes('CDSHookContext')
        ? 'any-object'
        : (el[4] as string).includes('CDSHooksElement')
          ? 'object'
          : (el[4] as string);
      continue;
    }
    const b = /^\* ([A-Za-z.]+) from (\S+) \(required\)/.exec(line);
    if (b) (at(b[1] as string, false) as Node).binding = b[2] as string;
    const fixed = /^\* ([A-Za-z.]+) = #(\S+) \(exactly\)/.exec(line);
    if (fixed) (at(fixed[1] as string, false) as Node).binding = `=${fixed[2]}`;
  }
  return root;
}

const models = new Map<string, Node>();

/** Problems of `value` against a model (CDSHooksRequest, CDSHooksResponse or CDSHooksServices); empty when valid. */
export function checkAgainstModel(model: 'CDSHooksRequest' | 'CDSHooksResponse' | 'CDSHooksServices', value: unknown): string[] {
  let root = models.get(model);
  if (!root) models.set(model, (root = parseModel(model)));
  const problems: string[] = [];
  checkObject(root, value, model, problems);
  if (model === 'CDSHooksRequest' && isObj(value) && value.fhirAuthorization !== undefined && value.fhirServer === undefined)
    problems.push('cds-r-1: fhirAuthorization without fhirServer');
  if (model === 'CDSHooksResponse' && isObj(value) && Array.isArray(value.cards)) {
    value.cards.forEach((c, i) => {
      if (!isObj(c)) return;
      if (typeof c.summary === 'string' && c.summary.length >= 140)
        problems.push(`cards[${i}].summary: ${c.summary.length} characters (must be < 140)`);
      if (c.suggestions !== undefined && c.selectionBehavior === undefined)
        problems.push(`cds-resp-6: cards[${i}] has suggestions without selectionBehavior`);
      if (Array.isArray(c.links))
        c.links.forEach(
          (l, j) =>
            isObj(l) &&
            l.type !== 'smart' &&
            l.appContext !== undefined &&
            problems.push(`cds-resp-3: cards[${i}].links[${j}] appContext on a non-smart link`),
        );
    });
  }
  return problems;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkObject(node: Node, value: unknown, path: string, out: string[]): void {
  if (!isObj(value)) {
    out.push(`${path}: expected an object`);
    return;
  }
  for (const [key, child] of node.children) {
    const v = value[key];
    if (v === undefined) {
      if (child.min > 0) out.push(`${path}.${key}: required`);
      continue;
    }
    const map = child.children.has('key') && child.children.has('value');
    if (map) {
      // A key/value element (json-property-key): an object whose values are the `value` element.
      if (!isObj(v)) out.push(`${path}.${key}: expected an object of key → value`);
      else for (const [k, x] of Object.entries(v)) checkValue(child.children.get('value') as Node, x, `${path}.${key}.${k}`, out);
    } else if (child.max === '*') {
      if (!Array.isArray(v)) out.push(`${path}.${key}: expected an array`);
      else v.forEach((x, i) => checkValue(child, x, `${path}.${key}[${i}]`, out));
    } else checkValue(child, v, `${path}.${key}`, out);
  }
  for (const key of Object.keys(value))
    if (!node.children.has(key) && key !== 'extension') out.push(`${path}.${key}: not an element of the model`);
  if (value.extension !== undefined && !isObj(value.extension)) out.push(`${path}.extension: expected an object`);
}

function checkValue(node: Node, v: unknown, path: string, out: string[]): void {
  const str = (test: (s: string) => boolean, what: string): void => {
    if (typeof v !== 'string' || v.trim() === '' || !test(v)) out.push(`${path}: expected ${what}, got ${JSON.stringify(v)?.slice(0, 60)}`);
  };
  switch (node.type) {
    case 'object':
      checkObject(node, v, path, out);
      break;
    case 'any-object':
      if (!isObj(v)) out.push(`${path}: expected an object`);
      break;
    case 'string':
    case 'markdown':
      str(() => true, 'a non-empty string');
      break;
    case 'code':
      str((s) => s === s.trim(), 'a code');
      break;
    case 'id':
      str((s) => /^[A-Za-z0-9\-.]{1,64}$/.test(s), 'a FHIR id');
      break;
    case 'uuid':
      str((s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s), 'a UUID');
      break;
    case 'url':
      str((s) => URL.canParse(s), 'an absolute URL');
      break;
    case 'integer':
      if (!Number.isInteger(v)) out.push(`${path}: expected an integer`);
      break;
    case 'boolean':
      if (typeof v !== 'boolean') out.push(`${path}: expected a boolean`);
      break;
    case 'Coding':
      if (
        !isObj(v) ||
        Object.entries(v).some(
          ([k, x]) =>
            !['system', 'code', 'display', 'version', 'userSelected'].includes(k) || (k !== 'userSelected' && typeof x !== 'string'),
        )
      )
        out.push(`${path}: expected a Coding`);
      break;
    case 'Resource':
      if (v !== null && !(isObj(v) && typeof v.resourceType === 'string')) out.push(`${path}: expected a FHIR resource or null`);
      break;
    default:
      // Base and contentReference elements: any JSON.
      break;
  }
  if (node.binding !== null && typeof v === 'string') {
    const allowed = node.binding.startsWith('=') ? [node.binding.slice(1)] : VALUE_SETS[node.binding];
    if (!allowed) out.push(`${path}: unknown value set ${node.binding}`);
    else if (!allowed.includes(v)) out.push(`${path}: ${JSON.stringify(v)} is not one of ${allowed.join(', ')}`);
  }
}
