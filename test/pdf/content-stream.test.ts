// The bytes the binder writes its page operators with (issue 6).
import PDFDocument from 'pdfkit';
import { describe, expect, it } from 'vitest';
import { ContentBytes, PageContent } from '../../src/pdf/content-stream.js';

describe('ContentBytes', () => {
  it('writes numbers as pdfkit does: at most six decimals, whole numbers without a point', () => {
    const out = new ContentBytes();
    for (const n of [0, -0, 7, 792, 123456789, 1 / 3, -2.5, 0.1 + 0.2, 1e-7, -1e-7, 2e9]) out.number(n);
    expect(out.bytes().toString('latin1')).toBe('0 0 7 792 123456789 0.333333 -2.5 0.3 0 0 2000000000 ');
  });

  it('writes any number as String() writes it rounded to six decimals, digit for digit', () => {
    let state = 7;
    const random = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state / 2 ** 32;
    };
    const numbers = Array.from({ length: 20_000 }, (_, i) => {
      const scale = 10 ** Math.floor(random() * 10 - 3);
      const n = (random() - 0.5) * scale;
      return i % 4 === 0 ? Math.round(n * 100) / 100 : n;
    });
    numbers.push(0.9999999, 2.9999996, -0.0000004, 999_999_999.4, 1e9, -5e9, 1e-7, 0.05, 0.000001);
    const out = new ContentBytes();
    for (const n of numbers) out.number(n);
    expect(out.bytes().toString('latin1')).toBe(numbers.map((n) => `${String(Math.round(n * 1e6) / 1e6)} `).join(''));
  });

  it('writes a glyph id as two bytes of a literal string, escaping the five that cannot stand bare', () => {
    const out = new ContentBytes();
    for (const id of [0x0041, 0x2829, 0x5c0a, 0x0d00, 0x0100]) out.glyph(id);
    expect(out.bytes().toString('latin1')).toBe('\x00A\\(\\)\\\\\\n\\r\x00\x01\x00');
  });

  it('writes every glyph id so that a PDF reader reads it back', () => {
    const out = new ContentBytes();
    for (let id = 0; id < 0x10000; id++) out.glyph(id);
    // A literal string's bytes as PDF 32000-1 §7.3.4.2 reads them; a bare line end or parenthesis would fail here.
    const bytes = out.bytes();
    const read: number[] = [];
    const escaped: Record<number, number> = { 0x6e: 0x0a, 0x72: 0x0d, 0x28: 0x28, 0x29: 0x29, 0x5c: 0x5c };
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i]!;
      if (c === 0x0a || c === 0x0d || c === 0x28 || c === 0x29) throw new Error(`byte ${c} bare at ${i}`);
      if (c === 0x5c) read.push(escaped[bytes[++i]!]!);
      else read.push(c);
    }
    expect(read.length).toBe(0x20000);
    for (let id = 0; id < 0x10000; id++) {
      if (read[2 * id]! * 256 + read[2 * id + 1]! !== id) throw new Error(`glyph ${id} read back as ${read[2 * id]! * 256 + read[2 * id + 1]!}`);
    }
  });

  it('grows past its first buffer without losing what it holds', () => {
    const out = new ContentBytes();
    for (let i = 0; i < 20_000; i++) out.line('0 0 m');
    expect(out.length).toBe(20_000 * 6);
    expect(out.bytes().toString('latin1')).toBe('0 0 m\n'.repeat(20_000));
  });
});

describe('PageContent', () => {
  it('sets a colour or line width only when it changes, and again on a new page', () => {
    const doc = new PDFDocument({ autoFirstPage: false });
    const content = new PageContent(doc);
    doc.addPage();
    content.out.clear(); // what pdfkit writes itself at a new page
    content.fillColor('black');
    content.fillColor('black');
    content.strokeColor('#666666');
    content.lineWidth(0.5);
    content.lineWidth(0.5);
    content.fillColor('#e6e6e6');
    expect(content.out.bytes().toString('latin1')).toBe('0 0 0 rg\n0.4 0.4 0.4 RG\n0.5 w\n0.901961 0.901961 0.901961 rg\n');
    content.flush();
    doc.addPage();
    content.out.clear();
    content.fillColor('#e6e6e6');
    expect(content.out.bytes().toString('latin1')).toBe('0.901961 0.901961 0.901961 rg\n');
    expect(() => content.fillColor('no such colour')).toThrow(/no such colour/);
  });
});
