/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no insignificant
 * whitespace, strings escaped as JSON.stringify does. Two equal records give
 * identical bytes, which is what export's equality check and the paper
 * format's digest rely on. Only the values a record holds are accepted
 * (strings, safe integers, null, arrays, plain objects).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isSafeInteger(value)) throw new RangeError(`canonical JSON number=${value}, expected a safe integer`);
      return String(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}
