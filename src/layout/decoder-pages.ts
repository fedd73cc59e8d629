// The decoder every binder carries (templates/decoder/decode.py): its codes, and its listing to type or OCR (FORMAT §15).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deflateSync, crc32 } from 'node:zlib';
import { Flow, LEADING, type PageBody } from './flow.js';
import { layoutCodePages } from './code-pages.js';
import { label, TEMPLATES_DIR } from './template.js';
import type { FrontMatterContext } from './front-matter.js';

/** The decoder's code texts start with this; the recipe's one-liner keeps the lines that do (FORMAT §15). */
export const DECODER_PREFIX = 'PCDEC';
/** Base32 characters a decoder code carries: a whole number of 8-character groups that fits 1,451 with the 12-character prefix. */
const CHUNK = 1432;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export interface DecoderProgram { bytes: Uint8Array; sha256: string; lines: string[] }

let program: DecoderProgram | undefined;

/** templates/decoder/decode.py, read once. */
export function decoderProgram(): DecoderProgram {
  if (!program) {
    const bytes = new Uint8Array(readFileSync(`${TEMPLATES_DIR}decoder/decode.py`));
    const text = Buffer.from(bytes).toString('utf8');
    program = { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), lines: text.replace(/\n$/, '').split('\n') };
  }
  return program;
}

function base32(bytes: Uint8Array): string {
  let out = '', bits = 0, value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) { out += BASE32[(value >>> (bits - 5)) & 31]; bits -= 5; }
    value &= (1 << bits) - 1;
  }
  return bits ? out + BASE32[(value << (5 - bits)) & 31] : out;
}

/**
 * FORMAT §15: `PCDEC NN/MM ` then base32 (RFC 4648, no padding) of the program
 * deflated with a zlib header; in number order the parts join into one base32 text.
 * QR alphanumeric characters only, so the codes print like every other.
 */
export function decoderCodeTexts(bytes: Uint8Array): string[] {
  const text = base32(deflateSync(bytes, { level: 9 }));
  const n = Math.ceil(text.length / CHUNK);
  const pad = (i: number): string => String(i).padStart(2, '0');
  return Array.from({ length: n }, (_, i) => `${DECODER_PREFIX} ${pad(i + 1)}/${pad(n)} ${text.slice(i * CHUNK, (i + 1) * CHUNK)}`);
}

/** FORMAT §15: a listing line's check value, CRC-32 of "N TEXT" (its number, a space, the line), low 16 bits, upper-case hex. */
export function listingCheck(n: number, line: string): string {
  return (crc32(Buffer.from(`${n} ${line}`, 'utf8')) & 0xffff).toString(16).toUpperCase().padStart(4, '0');
}

/** The one-liner that prints each line's number and check value of a typed decode.py, to compare with the listing. */
export const LISTING_CHECK_COMMAND = 'python3 -c \'import zlib;[print(n,"%04X"%(zlib.crc32(b"%d %s"%(n,l.rstrip(b"\\r\\n")))&65535)) for n,l in enumerate(open("decode.py","rb"),1)]\'';

/** The pages of the decoder's codes, right after the recipe. */
export function layoutDecoderCodes(ctx: FrontMatterContext): PageBody[] {
  const p = decoderProgram();
  const texts = decoderCodeTexts(p.bytes);
  return layoutCodePages(texts, {
    heading: (first, last, total, page, pages) => label(ctx.template, 'decoder_codes_heading', { first, last, total, page, pages, sha256: p.sha256, bytes: p.bytes.length }),
    caption: (i, total) => label(ctx.template, 'decoder_caption', { i, total }),
  }, ctx.shaper, ctx.box);
}

/** The listing's size: 112 characters a line on Letter, 107 on A4, 68 lines a page. */
const LISTING_SIZE = 7.5;
/** Courier's advance, the same for every character: its AFM widths are all 600/1000 em. */
const MONO_ADVANCE = 0.6;

/**
 * FORMAT §15: the program's lines as the listing prints them, `columns` characters at most: "N CHECK TEXT", N
 * right-aligned to the widest number, the line's own characters after. A longer line continues on printed lines
 * that carry "+" in the check value's place, cut between two characters that are not spaces (cutAt), so that the
 * parts join with nothing added and no space is lost at a cut, where it could not be seen.
 */
export function listingRows(lines: readonly string[], columns: number): string[] {
  const w = String(lines.length).length;
  const room = columns - (w + 6);
  const more = `${' '.repeat(w)} +    `;
  const rows: string[] = [];
  lines.forEach((line, i) => {
    let head = `${String(i + 1).padStart(w)} ${listingCheck(i + 1, line)} `;
    let rest = line;
    while (rest.length > room) {
      const cut = cutAt(rest, room);
      rows.push(head + rest.slice(0, cut));
      rest = rest.slice(cut);
      head = more;
    }
    rows.push(head + rest);
  });
  return rows;
}

/**
 * Where a line too long for `room` columns is cut: inside a word where it can (pdftotext moved a comma that began
 * a continuation to the end of the row above), else between two characters that are not spaces, else at `room`.
 */
function cutAt(line: string, room: number): number {
  for (const fits of [/\w/, /\S/]) {
    for (let cut = room; cut > room / 2; cut--) if (fits.test(line[cut - 1]!) && fits.test(line[cut]!)) return cut;
  }
  return room;
}

/** The appendix: the decoder line by line in Courier, each with its number and check value, its spaces as they are. */
export function layoutDecoderListing(ctx: FrontMatterContext): PageBody[] {
  const p = decoderProgram();
  const flow = new Flow(ctx.shaper, ctx.box);
  flow.heading(label(ctx.template, 'decoder_listing'), 13);
  flow.paragraph(label(ctx.template, 'decoder_listing_text', { sha256: p.sha256, lines: p.lines.length, bytes: p.bytes.length }), { size: 9 });
  commandLine(flow, LISTING_CHECK_COMMAND);
  flow.space(6);
  const columns = Math.floor(flow.box.width / (MONO_ADVANCE * LISTING_SIZE));
  for (const row of listingRows(p.lines, columns)) {
    flow.ensure(LISTING_SIZE * LEADING);
    flow.y += LISTING_SIZE * LEADING;
    flow.page.ops.push({ kind: 'mono', text: row.trimEnd(), x: flow.box.x, baseline: flow.y - LISTING_SIZE * 0.3, size: LISTING_SIZE, color: 'black' });
  }
  flow.finish();
  return flow.pages;
}

/** One command on a line of its own, never wrapped (a wrapped command does not run when copied), shrunk to fit. */
export function commandLine(flow: Flow, command: string, size = 8.5): void {
  for (const part of command.split('\n')) {
    const fitted = flow.shaper.fit(part, size, 'regular', flow.box.width - 12);
    flow.paragraph(part, { size: fitted, indent: 12, width: flow.box.width });
  }
}
