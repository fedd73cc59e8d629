// Just enough of a PDF reader to find an office scanner's page images without
// decoding them: objects at the top level of the file (not in object streams),
// dictionaries, arrays, names, numbers, references, and stream bounds. Anything
// else it meets it gives up on, and the caller falls back to pdfjs.

export interface Ref { num: number; gen: number }
export type PdfValue = number | boolean | null | string | Ref | PdfValue[] | PdfDict | { bytes: string };
/** A dictionary: keys without their slash; names as values keep theirs ("/DCTDecode"). */
export type PdfDict = Map<string, PdfValue>;

export interface PdfObject { value: PdfValue; stream?: { start: number; end: number } }

const WHITE = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]);
const DELIM = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25]);

export const isRef = (v: PdfValue | undefined): v is Ref => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && 'num' in v;
export const isDict = (v: PdfValue | undefined): v is PdfDict => v instanceof Map;

/** Reads tokens and values from `b` at `pos`; throws on anything it does not know. */
export class PdfLexer {
  constructor(readonly b: Uint8Array, public pos: number) {}

  private skipWhite(): void {
    const b = this.b;
    for (;;) {
      while (this.pos < b.length && WHITE.has(b[this.pos]!)) this.pos++;
      if (b[this.pos] !== 0x25) return;
      while (this.pos < b.length && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
    }
  }

  /** The next token: a delimiter ("<<", "[", "/Name", "(", "<") or a regular word (number, keyword). */
  token(): string | undefined {
    this.skipWhite();
    const b = this.b;
    if (this.pos >= b.length) return undefined;
    const c = b[this.pos]!;
    if ((c === 0x3c || c === 0x3e) && b[this.pos + 1] === c) { this.pos += 2; return c === 0x3c ? '<<' : '>>'; }
    if (c === 0x2f) {
      let e = this.pos + 1;
      while (e < b.length && !WHITE.has(b[e]!) && !DELIM.has(b[e]!)) e++;
      const name = Buffer.from(b.subarray(this.pos, e)).toString('latin1');
      this.pos = e;
      return name;
    }
    if (DELIM.has(c)) { this.pos++; return String.fromCharCode(c); }
    let e = this.pos;
    while (e < b.length && !WHITE.has(b[e]!) && !DELIM.has(b[e]!)) e++;
    const word = Buffer.from(b.subarray(this.pos, e)).toString('latin1');
    this.pos = e;
    return word;
  }

  private literalString(): { bytes: string } {
    const b = this.b;
    let depth = 1, e = this.pos;
    while (e < b.length && depth > 0) {
      if (b[e] === 0x5c) e++;
      else if (b[e] === 0x28) depth++;
      else if (b[e] === 0x29) depth--;
      e++;
    }
    const s = Buffer.from(b.subarray(this.pos, e - 1)).toString('latin1');
    this.pos = e;
    return { bytes: s };
  }

  /** One value; `first` is its first token when already read. */
  value(first?: string): PdfValue {
    const t = first ?? this.token();
    if (t === undefined) throw new Error('end of file in a value');
    if (t === '<<') {
      const d: PdfDict = new Map();
      for (let k = this.token(); k !== '>>'; k = this.token()) {
        if (k === undefined || !k.startsWith('/')) throw new Error(`dictionary key ${k}`);
        d.set(k.slice(1), this.value());
      }
      return d;
    }
    if (t === '[') {
      const a: PdfValue[] = [];
      for (let k = this.token(); k !== ']'; k = this.token()) {
        if (k === undefined) throw new Error('end of file in an array');
        a.push(this.value(k));
      }
      return a;
    }
    if (t === '(') return this.literalString();
    if (t === '<') {
      const e = this.b.indexOf(0x3e, this.pos);
      if (e < 0) throw new Error('unterminated hex string');
      const s = Buffer.from(this.b.subarray(this.pos, e)).toString('latin1');
      this.pos = e + 1;
      return { bytes: s };
    }
    if (t.startsWith('/')) return t;
    if (t === 'true' || t === 'false') return t === 'true';
    if (t === 'null') return null;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(t)) {
      const n = Number(t);
      // "num gen R": looked ahead, and put back when it is not a reference.
      if (/^\d+$/.test(t)) {
        const at = this.pos;
        const g = this.token();
        if (g !== undefined && /^\d+$/.test(g) && this.token() === 'R') return { num: n, gen: Number(g) };
        this.pos = at;
      }
      return n;
    }
    throw new Error(`unexpected token ${t.slice(0, 20)}`);
  }
}

/**
 * Every object written at the top level of the file, by number (a later
 * definition wins, as an incremental update's does). Streams are stepped
 * over by their /Length, so their bytes are never taken for objects.
 */
export function indexObjects(b: Uint8Array): Map<number, PdfObject> {
  const objects = new Map<number, PdfObject>();
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  let pos = 0;
  for (;;) {
    const at = buf.indexOf(' obj', pos, 'latin1');
    if (at < 0) break;
    pos = at + 4;
    // "num gen obj": the two numbers before.
    let s = at;
    while (s > 0 && buf[s - 1]! >= 0x30 && buf[s - 1]! <= 0x39) s--;
    if (s === at || buf[s - 1] !== 0x20) continue;
    let n = s - 1;
    while (n > 0 && buf[n - 1]! >= 0x30 && buf[n - 1]! <= 0x39) n--;
    if (n === s - 1) continue;
    const num = Number(buf.toString('latin1', n, s - 1));
    const lexer = new PdfLexer(b, pos);
    let value: PdfValue;
    try { value = lexer.value(); } catch { continue; }
    const object: PdfObject = { value };
    const after = lexer.pos;
    if (lexer.token() === 'stream') {
      let start = lexer.pos;
      if (buf[start] === 0x0d) start++;
      if (buf[start] === 0x0a) start++;
      const length = isDict(value) ? value.get('Length') : undefined;
      let end = typeof length === 'number' && start + length <= buf.length ? start + length : -1;
      if (end < 0 || buf.indexOf('endstream', end, 'latin1') - end > 4) end = buf.indexOf('endstream', start, 'latin1');
      if (end < 0) break;
      object.stream = { start, end };
      pos = end;
    } else {
      pos = after;
    }
    objects.set(num, object);
  }
  return objects;
}
