/**
 * A code's image, deflated in one pass over its modules with Huffman codes
 * chosen in advance. The image (qrImage) is rows of 1-bit pixels, four a
 * module each way: each module row is a PNG "None" row of pixel bytes and
 * three "Up" rows of zeros (a row the same as the one above). Its bytes take
 * only four values, and the repeated rows are always the same 180 bytes, so a
 * fixed code for those few symbols compresses as well as zlib (2.6 KB a code)
 * without building the 28 KB of rows for zlib: 66 µs a code instead of 128 (docs/PERFORMANCE.md).
 * The output is a zlib stream (RFC 1950/1951) that any inflater reads; the
 * tests inflate it with zlib and compare it with the rows.
 */

/** Bytes in a module row's pixels: two modules a byte, an odd last module padded with white. */
function pixelBytesPerRow(modules: number): number {
  return Math.ceil(modules / 2);
}

/** Two modules' pixels as a byte of a 1-bit row (1 = white), by their darkness (first × 2 + second). */
const PIXEL_PAIRS = Uint8Array.of(0xff, 0xf0, 0x0f, 0x00);

/** PNG row filters (the image's DecodeParms give Predictor 15: a filter byte leads each row). */
const FILTER_NONE = 0;
const FILTER_UP = 2;
/** Each module row's pixel row is followed by this many more, the same (four pixels a module). */
const REPEATS = 3;

// RFC 1951 §3.2.5: length symbols 275 (lengths 51–58, 3 extra bits) and 280 (115–130, 4 extra);
// distance symbols 0 (distance 1) and 11 (49–64, 4 extra bits).
const END_OF_BLOCK = 256;
const LENGTH_51 = 275;
const LENGTH_115 = 280;
const DISTANCE_1 = 0;
const DISTANCE_49 = 11;

/**
 * Code lengths, a complete prefix code: the four pixel bytes (0x00 also
 * leads each row as filter None), the Up filter byte, the end of the block,
 * and the two lengths that copy the repeated rows.
 */
const LITERAL_LENGTHS = new Map([[0x00, 2], [0xff, 2], [0x0f, 3], [0xf0, 3], [FILTER_UP, 4], [END_OF_BLOCK, 4], [LENGTH_51, 4], [LENGTH_115, 4]]);
const DISTANCE_LENGTHS = new Map([[DISTANCE_1, 1], [DISTANCE_49, 1]]);

/** Canonical Huffman codes (RFC 1951 §3.2.2) for `lengths` by symbol, bit-reversed: deflate writes codes from their first bit, into the low bits first. */
function canonicalCodes(lengths: readonly number[]): number[] {
  const maxBits = Math.max(...lengths);
  const count = new Array<number>(maxBits + 1).fill(0);
  for (const l of lengths) if (l > 0) count[l]!++;
  const next = new Array<number>(maxBits + 2).fill(0);
  for (let bits = 1, code = 0; bits <= maxBits; bits++) {
    code = (code + count[bits - 1]!) << 1;
    next[bits] = code;
  }
  return lengths.map((l) => {
    if (l === 0) return 0;
    const code = next[l]!++;
    let reversed = 0;
    for (let i = 0; i < l; i++) reversed |= ((code >> i) & 1) << (l - 1 - i);
    return reversed;
  });
}

/** Huffman code lengths for `freq` (a symbol with none gets 0), longest `maxBits`. */
function huffmanLengths(freq: readonly number[], maxBits: number): number[] {
  type Node = { weight: number; symbols: number[] };
  let nodes: Node[] = freq.flatMap((weight, symbol) => (weight > 0 ? [{ weight, symbols: [symbol] }] : []));
  const lengths = new Array<number>(freq.length).fill(0);
  if (nodes.length === 1) lengths[nodes[0]!.symbols[0]!] = 1;
  while (nodes.length > 1) {
    nodes.sort((a, b) => a.weight - b.weight || a.symbols[0]! - b.symbols[0]!);
    const [a, b] = nodes as [Node, Node];
    for (const s of [...a.symbols, ...b.symbols]) lengths[s]!++;
    nodes = [{ weight: a.weight + b.weight, symbols: [...a.symbols, ...b.symbols] }, ...nodes.slice(2)];
  }
  if (Math.max(...lengths) > maxBits) throw new Error(`a code length over ${maxBits} bits`);
  return lengths;
}

/** Bits written from the low end of each byte, as deflate packs them (for the header: the image's own loop keeps its bits in locals). */
class BitWriter {
  bits = 0;
  count = 0;
  length = 0;
  constructor(public bytes: Uint8Array) {}

  /** The low `n` bits of `value` (n + 7 ≤ 31). */
  write(value: number, n: number): void {
    this.bits |= value << this.count;
    this.count += n;
    while (this.count >= 8) {
      this.bytes[this.length++] = this.bits & 0xff;
      this.bits >>>= 8;
      this.count -= 8;
    }
  }
}

function table(lengths: Map<number, number>, size: number): { lengths: number[]; codes: number[] } {
  const all = Array.from({ length: size }, (_, s) => lengths.get(s) ?? 0);
  return { lengths: all, codes: canonicalCodes(all) };
}

const LITERALS = table(LITERAL_LENGTHS, LENGTH_115 + 1);
const DISTANCES = table(DISTANCE_LENGTHS, DISTANCE_49 + 1);

/** The block's header (RFC 1951 §3.2.7): final block, dynamic codes, and the code lengths above, themselves Huffman-coded. */
const HEADER = (() => {
  // The code lengths, literal/length then distance, with runs of zeros as 17 (3–10) and 18 (11–138).
  const all = [...LITERALS.lengths, ...DISTANCES.lengths];
  const runs: { symbol: number; extra: number; extraBits: number }[] = [];
  for (let i = 0; i < all.length;) {
    let run = 0;
    while (all[i + run] === 0 && run < 138) run++;
    if (run >= 11) runs.push({ symbol: 18, extra: run - 11, extraBits: 7 });
    else if (run >= 3) runs.push({ symbol: 17, extra: run - 3, extraBits: 3 });
    else { run = 1; runs.push({ symbol: all[i]!, extra: 0, extraBits: 0 }); }
    i += run;
  }
  const freq = new Array<number>(19).fill(0);
  for (const r of runs) freq[r.symbol]!++;
  const clLengths = huffmanLengths(freq, 7);
  const clCodes = canonicalCodes(clLengths);
  const ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
  let hclen = ORDER.length;
  while (clLengths[ORDER[hclen - 1]!] === 0) hclen--;
  const w = new BitWriter(new Uint8Array(256));
  w.write(1, 1); // final block
  w.write(2, 2); // dynamic Huffman codes
  w.write(LITERALS.lengths.length - 257, 5);
  w.write(DISTANCES.lengths.length - 1, 5);
  w.write(hclen - 4, 4);
  for (let i = 0; i < hclen; i++) w.write(clLengths[ORDER[i]!]!, 3);
  for (const r of runs) {
    w.write(clCodes[r.symbol]!, clLengths[r.symbol]!);
    if (r.extraBits > 0) w.write(r.extra, r.extraBits);
  }
  return { bytes: w.bytes.slice(0, w.length), bits: w.bits, count: w.count };
})();

/**
 * Eight modules (four pixel bytes) at once, by their darkness as the bits of
 * an index (first module highest): their literals' codes, one after the
 * other, and their total length in bits; and for Adler-32, the bytes' sum
 * and their sum weighted 4, 3, 2, 1 (what four bytes add to b besides 4a).
 */
const OCTET_CODE = new Int32Array(256);
const OCTET_BITS = new Uint8Array(256);
const OCTET_SUM = new Int32Array(256);
const OCTET_WEIGHTED = new Int32Array(256);
for (let index = 0; index < 256; index++) {
  let code = 0, bits = 0, sum = 0, weighted = 0;
  for (let k = 0; k < 4; k++) {
    const byte = PIXEL_PAIRS[(index >> (6 - 2 * k)) & 3]!;
    code |= LITERALS.codes[byte]! << bits;
    bits += LITERALS.lengths[byte]!;
    sum += byte;
    weighted += (4 - k) * byte;
  }
  OCTET_CODE[index] = code;
  OCTET_BITS[index] = bits;
  OCTET_SUM[index] = sum;
  OCTET_WEIGHTED[index] = weighted;
}

/**
 * What follows a module row's pixels, the same every time: the Up filter, a
 * zero, the row's other zeros (a match one back), then that row twice more
 * (a match a row back). As bits to write, in two parts of at most 16.
 */
function repeatedRowsCode(modules: number): [number, number, number, number] {
  const rowBytes = pixelBytesPerRow(modules);
  const stride = 1 + rowBytes;
  const zerosAfterUp = rowBytes - 1;
  const copiedRows = (REPEATS - 1) * stride;
  if (zerosAfterUp < 51 || zerosAfterUp > 58 || copiedRows < 115 || copiedRows > 130 || stride < 49 || stride > 64) {
    throw new RangeError(`no fixed code for images of ${modules} modules a side`);
  }
  const symbol = (alphabet: { codes: number[]; lengths: number[] }, s: number): [number, number] => [alphabet.codes[s]!, alphabet.lengths[s]!];
  const parts: [number, number][] = [
    symbol(LITERALS, FILTER_UP), symbol(LITERALS, 0),
    symbol(LITERALS, LENGTH_51), [zerosAfterUp - 51, 3], symbol(DISTANCES, DISTANCE_1),
    symbol(LITERALS, LENGTH_115), [copiedRows - 115, 4], symbol(DISTANCES, DISTANCE_49), [stride - 49, 4],
  ];
  const halves: [number, number][] = [[0, 0], [0, 0]];
  let half = halves[0]!;
  for (const [code, bits] of parts) {
    if (half[1] + bits > 16) half = halves[1]!; // in order: once in the second half, the rest go there too
    half[0] |= code << half[1];
    half[1] += bits;
  }
  if (halves[1]![1] > 16) throw new Error('the repeated rows take more than 32 bits');
  return [halves[0]![0], halves[0]![1], halves[1]![0], halves[1]![1]];
}

const ADLER_MOD = 65521;
/** repeatedRowsCode by the symbol's size (one size in a binder). */
const repeatedRows = new Map<number, [number, number, number, number]>();
/** Where an image is deflated before it is copied out at its length. */
let scratch = new Uint8Array(0);

/**
 * The zlib stream of the image of `dark` (modules × modules, 1 = dark, row
 * by row) at four pixels a module: for each module row, a None row of its
 * pixel bytes and three Up rows of zeros.
 */
export function deflateCodeImage(dark: Uint8Array, modules: number): Uint8Array {
  let repeated = repeatedRows.get(modules);
  if (!repeated) repeatedRows.set(modules, repeated = repeatedRowsCode(modules));
  // At most 3 bits a pixel byte and 40 a row besides: a byte a pixel byte is room enough.
  const room = 64 + modules * (1 + pixelBytesPerRow(modules));
  if (scratch.length < room) scratch = new Uint8Array(room);
  const end = deflateRows(dark, modules, repeated, scratch, writeStreamStart(scratch));
  return scratch.slice(0, end);
}

/** The zlib header (RFC 1950 §2.2) and the block's header bytes; the header's last bits are written with the rows. Returns where the rows start. */
function writeStreamStart(out: Uint8Array): number {
  out[0] = 0x78; // deflate, 32 KB window
  out[1] = 0x01; // no preset dictionary; with 0x78, a multiple of 31
  out.set(HEADER.bytes, 2);
  return 2 + HEADER.bytes.length;
}

/**
 * The rows' codes from `start` of `out`, then the end of the block and the
 * stream's Adler-32 (RFC 1950 §2.2), kept as it goes; returns the stream's
 * length. One function with its bits and sums in locals: the hot loop.
 */
function deflateRows(dark: Uint8Array, modules: number, repeated: readonly [number, number, number, number], out: Uint8Array, start: number): number {
  const rowBytes = pixelBytesPerRow(modules);
  const [repeatLow, repeatLowBits, repeatHigh, repeatHighBits] = repeated;
  let pos = start;
  // Bits not yet written, from the low end; written out whenever 16 are there, so at most 15 wait.
  let acc = HEADER.bits;
  let n = HEADER.count;
  const flush = (): void => {
    while (n >= 8) {
      out[pos++] = acc & 0xff;
      acc >>>= 8;
      n -= 8;
    }
  };
  const literal = (byte: number): void => {
    acc |= LITERALS.codes[byte]! << n;
    n += LITERALS.lengths[byte]!;
    flush();
  };
  let a = 1;
  let b = 0;
  const whole = modules - (modules % 8);
  for (let r = 0; r < modules; r++) {
    literal(FILTER_NONE);
    b += a;
    const first = r * modules;
    let c = 0;
    // Eight modules at a time (12 bits at most), then what is left two at a time.
    for (; c < whole; c += 8) {
      const m = first + c;
      const index = (dark[m]! << 7) | (dark[m + 1]! << 6) | (dark[m + 2]! << 5) | (dark[m + 3]! << 4)
        | (dark[m + 4]! << 3) | (dark[m + 5]! << 2) | (dark[m + 6]! << 1) | dark[m + 7]!;
      acc |= OCTET_CODE[index]! << n;
      n += OCTET_BITS[index]!;
      if (n >= 16) {
        out[pos++] = acc & 0xff;
        out[pos++] = (acc >>> 8) & 0xff;
        acc >>>= 16;
        n -= 16;
      }
      b += 4 * a + OCTET_WEIGHTED[index]!;
      a += OCTET_SUM[index]!;
    }
    for (; c < modules; c += 2) {
      const byte = PIXEL_PAIRS[c + 1 < modules ? dark[first + c]! * 2 + dark[first + c + 1]! : dark[first + c]! * 2]!;
      literal(byte);
      a += byte;
      b += a;
    }
    acc |= repeatLow << n;
    n += repeatLowBits;
    flush();
    acc |= repeatHigh << n;
    n += repeatHighBits;
    flush();
    // Adler-32 over the repeated rows: each Up byte adds 2, each zero adds nothing to a but a to b.
    for (let i = 0; i < REPEATS; i++) {
      a += FILTER_UP;
      b += a + rowBytes * a;
    }
    a %= ADLER_MOD;
    b %= ADLER_MOD;
  }
  literal(END_OF_BLOCK);
  if (n > 0) out[pos++] = acc & 0xff;
  const adler = ((b << 16) | a) >>> 0;
  out[pos++] = adler >>> 24;
  out[pos++] = (adler >>> 16) & 0xff;
  out[pos++] = (adler >>> 8) & 0xff;
  out[pos++] = adler & 0xff;
  return pos;
}
