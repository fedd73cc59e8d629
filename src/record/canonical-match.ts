// The reading twin of canonicalJson (canonical-json.ts): checks a parsed record against its canonical
// text without writing the text again; for a 60 MiB record canonicalJson() built another 60 MB string (FORMAT §5.1).

/**
 * True when `text` is exactly canonicalJson(value): members in sorted key
 * order, strings as JSON.stringify writes them, safe integers only. Walks
 * `value` once and compares piece by piece, allocating only each string's
 * and key's JSON.
 */
export function isCanonicalText(value: unknown, text: string): boolean {
  let at = 0;
  const expect = (piece: string): boolean => {
    if (!text.startsWith(piece, at)) return false;
    at += piece.length;
    return true;
  };
  const walk = (v: unknown): boolean => {
    if (v === null) return expect('null');
    switch (typeof v) {
      case 'string': return expect(JSON.stringify(v));
      case 'number': return Number.isSafeInteger(v) && expect(String(v));
      case 'boolean': return false; // canonicalJson refuses them
      case 'object': {
        if (Array.isArray(v)) {
          if (!expect('[')) return false;
          for (let i = 0; i < v.length; i++) if ((i > 0 && !expect(',')) || !walk(v[i])) return false;
          return expect(']');
        }
        const obj = v as Record<string, unknown>;
        const keys = Object.keys(obj).sort();
        if (!expect('{')) return false;
        let first = true;
        for (const k of keys) {
          if (obj[k] === undefined) continue;
          if ((!first && !expect(',')) || !expect(`${JSON.stringify(k)}:`) || !walk(obj[k])) return false;
          first = false;
        }
        return expect('}');
      }
      default: return false;
    }
  };
  return walk(value) && at === text.length;
}
