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
      const { sorted, members } = keyOrder(Object.keys(obj));
      let out = '{';
      for (let i = 0; i < sorted.length; i++) {
        const member = obj[sorted[i]!];
        if (member === undefined) continue;
        out += `${out.length > 1 ? ',' : ''}${members[i]!}${canonicalJson(member)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot hold a ${typeof value}`);
  }
}

/** An object's keys as Object.keys gave them, sorted, and each sorted key as the JSON that leads its member (`"key":`). */
interface KeyOrder { keys: string[]; sorted: string[]; members: string[] }

/**
 * Key orders already worked out, by key count and first key. A record's rows
 * come from a dozen tables, each row with its table's keys in the same order,
 * so sorting and quoting the keys again for every row was most of the work
 * (issue 6). Bounded, for callers with objects of every shape.
 */
const keyOrders = new Map<string, KeyOrder[]>();
const KEY_ORDERS_MAX = 1_000;
const BUCKET_MAX = 16;

function keyOrder(keys: string[]): KeyOrder {
  const bucketKey = `${keys.length}\u0000${keys[0] ?? ''}`;
  const bucket = keyOrders.get(bucketKey);
  if (bucket) {
    for (const order of bucket) if (order.keys.every((k, i) => k === keys[i])) return order;
  }
  const sorted = [...keys].sort();
  const order = { keys, sorted, members: sorted.map((k) => `${JSON.stringify(k)}:`) };
  if (bucket) {
    if (bucket.length < BUCKET_MAX) bucket.push(order);
  } else if (keyOrders.size < KEY_ORDERS_MAX) {
    keyOrders.set(bucketKey, [order]);
  }
  return order;
}
