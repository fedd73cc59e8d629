/**
 * Collects the drawing operators of the page being drawn as bytes, and writes
 * them into the page at once, deflated, when the page is done. pdfkit turns
 * every operator into a string and then a byte array of its own, and that
 * way drawing and deflating took 40% of the drawing thread (issue 6,
 * docs/PERFORMANCE.md). Here the binder's own drawing (glyph-run.ts,
 * draw-page.ts, code-image.ts) writes its operators straight into one buffer,
 * and sets a colour or line width only when it changes.
 */
import { deflateSync } from 'node:zlib';
import { addContent, colorComponents, currentPage, redirectContent, type PdfDoc } from './_pdfkit.js';

/** zlib level for page content: against pdfkit's 6, 0.6 s faster of 15.6 for 9% more bytes (1,000 patients, docs/PERFORMANCE.md). */
const CONTENT_LEVEL = 1;
const BACKSLASH = 0x5c;
/** For each byte, the character after a backslash that stands for it in a literal string, or 0 when it stands for itself (PDF 32000-1 §7.3.4.2). */
const STRING_ESCAPES = new Uint8Array(256);
STRING_ESCAPES[0x28] = 0x28; // (
STRING_ESCAPES[0x29] = 0x29; // )
STRING_ESCAPES[0x5c] = 0x5c; // \
STRING_ESCAPES[0x0a] = 0x6e; // line feed: \n
STRING_ESCAPES[0x0d] = 0x72; // carriage return: \r
/** Texts up to this long are copied a character at a time: Buffer.write's call was a twentieth of the drawing thread (profile). */
const SHORT_TEXT = 32;
const NEWLINE = 0x0a;

/** Operators as bytes, appended as they are drawn: ASCII text, numbers as pdfkit formats them, glyph ids as string bytes. */
export class ContentBytes {
  private buffer = Buffer.allocUnsafe(64 * 1024);
  length = 0;

  /** `s` (ASCII) as it is. */
  text(s: string): this {
    this.room(s.length);
    if (s.length > SHORT_TEXT) {
      this.length += this.buffer.write(s, this.length, 'latin1');
      return this;
    }
    // Operators and names are a few characters: copied here, not by a call into Node's buffer code for each.
    const b = this.buffer;
    for (let i = 0; i < s.length; i++) b[this.length++] = s.charCodeAt(i);
    return this;
  }

  /** `s` and a line feed: one operator. */
  line(s: string): this {
    this.text(s);
    this.buffer[this.length++] = NEWLINE;
    return this;
  }

  /** A number as pdfkit writes one (PDFObject.number: at most six decimals), then a space. */
  number(n: number): this {
    const rounded = Math.round(n * 1e6) / 1e6;
    if (!(Math.abs(rounded) < 1e9)) return this.text(String(rounded)).byte(0x20);
    // Coordinates and sizes: their digits without making a string (the same text as String(rounded), tested).
    this.room(20);
    if (rounded < 0) this.buffer[this.length++] = 0x2d;
    const magnitude = Math.abs(rounded);
    let whole = Math.floor(magnitude);
    let millionths = Math.round((magnitude - whole) * 1e6);
    if (millionths === 1e6) {
      whole++;
      millionths = 0;
    }
    this.digits(whole, 0);
    if (millionths > 0) {
      let places = 6;
      while (millionths % 10 === 0) {
        millionths /= 10;
        places--;
      }
      this.buffer[this.length++] = 0x2e;
      this.digits(millionths, places);
    }
    this.buffer[this.length++] = 0x20;
    return this;
  }

  /** The decimal digits of a whole number below 1e9, at least `width` of them (zeros in front). */
  private digits(value: number, width: number): void {
    let count = 1;
    for (let m = value; m >= 10; m = Math.floor(m / 10)) count++;
    count = Math.max(count, width);
    for (let i = this.length + count - 1; i >= this.length; i--) {
      this.buffer[i] = 0x30 + (value % 10);
      value = Math.floor(value / 10);
    }
    this.length += count;
  }

  /**
   * A glyph id as the two bytes of an Identity-H string, inside a literal
   * string ( … ): half the bytes of the four hex digits pdfkit writes, 6,312 →
   * 5,911 bytes a page (docs/PERFORMANCE.md). The bytes that would end or
   * break the string are escaped; a line end must be too, or a reader takes CR for LF.
   */
  glyph(id: number): this {
    this.room(4);
    const high = (id >> 8) & 255, low = id & 255;
    if ((STRING_ESCAPES[high]! | STRING_ESCAPES[low]!) === 0) {
      this.buffer[this.length++] = high;
      this.buffer[this.length++] = low;
    } else {
      this.stringByte(high);
      this.stringByte(low);
    }
    return this;
  }

  private stringByte(c: number): void {
    const b = this.buffer;
    const escape = STRING_ESCAPES[c]!;
    if (escape !== 0) {
      b[this.length++] = BACKSLASH;
      b[this.length++] = escape;
    } else {
      b[this.length++] = c;
    }
  }

  byte(c: number): this {
    this.room(1);
    this.buffer[this.length++] = c;
    return this;
  }

  /** What was written; valid until the next write or clear(). */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }

  private room(n: number): void {
    if (this.length + n + 1 <= this.buffer.length) return; // + 1: a space or line feed after it
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.length + n + 1));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

const attached = new WeakMap<PdfDoc, PageContent>();
/** For documents drawn without a PageContent (tests, probes): operators are built here and handed to pdfkit. */
const scratch = new ContentBytes();

/**
 * The bytes to write `doc`'s current page's operators to, each ending in a
 * line feed: the PageContent's, or (for a document without one) a cleared
 * scratch buffer that endContent then gives to pdfkit's addContent.
 */
export function beginContent(doc: PdfDoc): ContentBytes {
  const content = attached.get(doc);
  if (content) return content.out;
  scratch.clear();
  return scratch;
}

/** Ends what beginContent began: for a document without a PageContent, hands the operators to pdfkit. */
export function endContent(doc: PdfDoc, out: ContentBytes): void {
  if (out !== scratch) return;
  const bytes = scratch.bytes();
  // addContent ends what it is given with a line feed itself.
  addContent(doc, bytes.toString('latin1', 0, bytes.length - 1));
}

/** The operands ("r g b") of the fill colour `doc`'s page was last given, or undefined when unknown: a synthetic bold strokes in it (glyph-run.ts). */
export function fillOperands(doc: PdfDoc): string | undefined {
  return attached.get(doc)?.fillOperands();
}

export class PageContent {
  /** The page being drawn, so far. */
  readonly out = new ContentBytes();
  /** The page's fill and stroke colours and line width as last set; undefined once unknown (a new page, or pdfkit wrote something). */
  private fill: string | undefined;
  private stroke: string | undefined;
  private width: number | undefined;
  /** Colours as PDF operands ("r g b"), by the name or hex they were given as. */
  private readonly rgb = new Map<string, string>();

  /** From now on, what `doc` draws is held here until flush(). */
  constructor(readonly doc: PdfDoc) {
    attached.set(doc, this);
    redirectContent(doc, (operators) => {
      this.out.line(operators);
      this.forgetState();
    });
  }

  /** Sets the fill colour (a CSS name or hex, as pdfkit takes it) unless it is already that. */
  fillColor(color: string): void {
    if (color === this.fill) return;
    this.out.text(this.operands(color)).line(' rg');
    this.fill = color;
  }

  /** The fill colour as operands, undefined when unknown. */
  fillOperands(): string | undefined {
    return this.fill === undefined ? undefined : this.operands(this.fill);
  }

  strokeColor(color: string): void {
    if (color === this.stroke) return;
    this.out.text(this.operands(color)).line(' RG');
    this.stroke = color;
  }

  lineWidth(width: number): void {
    if (width === this.width) return;
    this.out.number(width).line('w');
    this.width = width;
  }

  /** Writes what was drawn into the current page. Call once a page, before adding the next page and before ending the document. */
  flush(): void {
    this.forgetState();
    if (this.out.length === 0) return;
    const { content } = currentPage(this.doc);
    if (content.buffer.length > 0) throw new Error('the page\'s content was already written');
    content.compress = false;
    content.data.Filter = 'FlateDecode';
    content.write(deflateSync(this.out.bytes(), { level: CONTENT_LEVEL }));
    this.out.clear();
  }

  private forgetState(): void {
    this.fill = this.stroke = this.width = undefined;
  }

  private operands(color: string): string {
    let rgb = this.rgb.get(color);
    if (rgb === undefined) {
      const parts = colorComponents(this.doc, color);
      if (parts?.length !== 3) throw new Error(`colour "${color}" is not an RGB colour`);
      this.rgb.set(color, rgb = parts.map((p) => Math.round(p * 1e6) / 1e6).join(' '));
    }
    return rgb;
  }
}
