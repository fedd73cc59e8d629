import type { ShapedLine, TextShaper, Weight } from '../text/shape-text.js';
import { breakPieces } from '../text/line-breaks.js';

/** One thing to draw on a page body, in absolute page coordinates (points, y down). */
export type PageOp =
  | { kind: 'text'; line: ShapedLine; x: number; baseline: number; color: string }
  | { kind: 'rect'; x: number; y: number; w: number; h: number; fill: string | null; stroke: string | null; lineWidth: number }
  | { kind: 'rule'; x1: number; y1: number; x2: number; y2: number; color: string; lineWidth: number }
  /** A QR code whose top-left module is at (x, y); `image` is its image data (qrImage) when made ahead of drawing. */
  | { kind: 'qr'; x: number; y: number; text: string; image?: Uint8Array }
  /** Printable ASCII in the PDF's built-in Courier (no font file; every character 0.6 em wide), as a listing to type. */
  | { kind: 'mono'; text: string; x: number; baseline: number; size: number; color: string };

export interface PageBody {
  ops: PageOp[];
  /** The thumb index's letter for a page that is not a patient's (an index page: its first band's). */
  thumb?: string;
}

export interface BodyBox { x: number; top: number; width: number; bottom: number }

export interface TextStyle { size: number; weight?: Weight; color?: string; indent?: number; width?: number }

export interface Column {
  label: string;
  width: number /* fraction of the body width */;
  weight?: Weight;
  /** A shorter form of a cell's text whose word is too wide for the column (route-abbreviations.ts). */
  abbreviate?: (text: string) => string;
}
/** A table cell; `detail` is set in regular weight under the text (a medication's instructions). */
export interface Cell { text: string; weight?: Weight; color?: string; detail?: string }
/** A full-width shaded row inside a table, such as an index's letter divider. */
export interface Divider { divider: string }

/** Leading: baseline-to-baseline distance as a multiple of the font size. */
export const LEADING = 1.3;
const CELL_PAD = 3;

/**
 * Lays content out top to bottom over as many page bodies as it needs.
 * Nothing is ever cut: a block that does not fit continues on a new page.
 * It only measures and records; drawing happens later, once the binder's
 * page numbers are known.
 */
export class Flow {
  /** Pages laid out and not yet handed to `onPage` (with it, only the page being laid out). */
  readonly pages: PageBody[] = [];
  y = 0;
  /** The line of the paragraph being laid out that starts a new page, or -1 (widow control). */
  private breakAt = -1;

  /** The current content box; `boxed` narrows it while it lays out its content. */
  box: BodyBox;

  /** A table's title on the pages it continues on ("Immunizations (continued)"), from its heading; none when null. */
  continuedHeading: ((heading: string) => string) | null = null;
  /** The last heading drawn and where its operations start: a table moved to the next page takes it along. */
  private lastHeading: { text: string; size: number; page: PageBody; ops: number; end: number } | null = null;

  /**
   * With `onPage`, each finished page is handed over and let go, so a long
   * layout (the index of 100,000 patients) holds one page at a time; call
   * finish() for the last. Not with boxed(), which goes back to earlier pages.
   */
  constructor(readonly shaper: TextShaper, box: BodyBox, private readonly onPage?: (page: PageBody) => void) {
    this.box = box;
    this.newPage();
  }

  get page(): PageBody { return this.pages[this.pages.length - 1]!; }
  get remaining(): number { return this.box.bottom - this.y; }

  newPage(): void {
    if (this.onPage && this.pages.length > 0) this.onPage(this.pages.pop()!);
    this.pages.push({ ops: [] });
    this.y = this.box.top;
  }

  /** Hands the last page to `onPage`. */
  finish(): void {
    if (this.onPage) this.onPage(this.pages.pop()!);
  }

  /** Starts a new page unless `height` more points fit on this one. */
  ensure(height: number): void {
    if (this.y + height > this.box.bottom && this.y > this.box.top) this.newPage();
  }

  space(height: number): void {
    this.y = Math.min(this.y + height, this.box.bottom);
  }

  /** Wrapped text, line by line; page breaks fall between lines. */
  paragraph(text: string, style: TextStyle): void {
    const { size, weight = 'regular', color = 'black', indent = 0 } = style;
    const width = style.width ?? this.box.width - indent;
    const lines = this.shaper.wrap(text, size, weight, width);
    // No line of a paragraph alone at the foot or the head of a page: a break falls after its second line
    // and before its second last, so a page never holds one stray line ("needed.") of a paragraph.
    const fit = Math.floor(this.remaining / (size * LEADING));
    if (lines.length > 1 && fit < lines.length && this.y > this.box.top) {
      if (fit < 2 || (lines.length - fit < 2 && lines.length < 4)) this.newPage();
      else if (lines.length - fit < 2) this.breakAt = fit - 1;
    }
    lines.forEach((line, i) => {
      if (i === this.breakAt) { this.breakAt = -1; this.newPage(); }
      this.ensure(size * LEADING);
      this.y += size * LEADING;
      this.page.ops.push({ kind: 'text', line, x: this.box.x + indent, baseline: this.y - size * 0.3, color });
    });
    this.breakAt = -1;
  }

  /** A section heading, kept on the same page as at least `keepWith` points of what follows. */
  heading(text: string, size = 12, keepWith = 40, above = 8): void {
    // The space above, the heading and its rule, then what follows: a heading never ends a page.
    this.ensure(above + size * LEADING + 5 + keepWith);
    if (this.y > this.box.top) this.space(above);
    const ops = this.page.ops.length;
    this.paragraph(text, { size, weight: 'bold' });
    this.rule(0.6, '#000000');
    this.space(3);
    this.lastHeading = { text, size, page: this.page, ops, end: this.y };
  }

  /** A new page; a heading that would be left last on this one is taken along to the new one's top. */
  private newPageWithHeading(): void {
    const h = this.lastHeading;
    if (!h || h.page !== this.page || this.y !== h.end) return this.newPage();
    this.page.ops.splice(h.ops);
    this.newPage();
    this.heading(h.text, h.size, 0, 0);
  }

  /** A table's next page: its title, "(continued)", when it has a heading (then the caller repeats its header row). */
  private continueTable(): void {
    this.newPage();
    const h = this.lastHeading;
    if (!h || !this.continuedHeading) return;
    this.paragraph(this.continuedHeading(h.text), { size: h.size, weight: 'bold' });
    this.rule(0.6, '#000000');
    this.space(3);
  }

  /** A line of text reversed out of a black band: for what must not be missed. */
  band(text: string, size: number, fill = 'black'): void {
    const lines = this.shaper.wrap(text, size, 'bold', this.box.width - 4).length;
    const height = lines * size * LEADING + 4;
    this.ensure(height + size * LEADING);
    this.page.ops.push({ kind: 'rect', x: this.box.x, y: this.y, w: this.box.width, h: height, fill, stroke: null, lineWidth: 0 });
    this.y += 2;
    this.paragraph(text, { size, weight: 'bold', color: 'white', indent: 4 });
    this.y += 2;
  }

  rule(lineWidth = 0.4, color = '#888888'): void {
    this.page.ops.push({ kind: 'rule', x1: this.box.x, y1: this.y + 1, x2: this.box.x + this.box.width, y2: this.y + 1, color, lineWidth });
    this.y += 2;
  }

  /**
   * A table whose header row repeats on every page it spans. Cells wrap
   * within their column; a row is never split across pages unless it is
   * taller than a whole page.
   */
  table(columns: readonly Column[], input: Iterable<readonly Cell[] | Divider>, size = 9): void {
    // A table of rows known ahead (not the index's generator) is fitted: no word is broken inside a cell.
    const rows = Array.isArray(input) ? this.abbreviated(columns, input as (readonly Cell[] | Divider)[], size) : input;
    const widths = Array.isArray(rows) ? this.fittedWidths(columns, rows, size) : columns.map((c) => c.width * this.box.width);
    const header = columns.map((c): Cell => ({ text: c.label, weight: 'bold' }));
    const layoutRow = (cells: readonly Cell[]): { lines: ShapedLine[][]; height: number; cells: readonly Cell[] } => {
      const lines = cells.map((cell, i) => {
        const width = widths[i]! - 2 * CELL_PAD;
        const main = this.shaper.wrap(cell.text, size, cell.weight ?? columns[i]?.weight ?? 'regular', width);
        return cell.detail ? [...main, ...this.shaper.wrap(cell.detail, size, 'regular', width)] : main;
      });
      const height = Math.max(...lines.map((l) => l.length)) * size * LEADING + CELL_PAD;
      return { lines, height, cells };
    };
    const head = layoutRow(header);
    const emit = (row: ReturnType<typeof layoutRow>, shade: boolean): void => {
      const top = this.y;
      if (shade) this.page.ops.push({ kind: 'rect', x: this.box.x, y: top, w: this.box.width, h: row.height, fill: '#e6e6e6', stroke: null, lineWidth: 0 });
      let x = this.box.x;
      row.lines.forEach((cellLines, i) => {
        cellLines.forEach((line, j) => {
          this.page.ops.push({ kind: 'text', line, x: x + CELL_PAD, baseline: top + (j + 1) * size * LEADING - size * 0.3, color: row.cells[i]?.color ?? 'black' });
        });
        x += widths[i]!;
      });
      this.y = top + row.height;
      this.page.ops.push({ kind: 'rule', x1: this.box.x, y1: this.y, x2: this.box.x + this.box.width, y2: this.y, color: '#999999', lineWidth: 0.3 });
    };
    // The header row never ends a page: it is kept with the first row, however tall (a medicine's instructions).
    // Rows are taken one at a time (the index of 100,000 patients is a generator): the first is looked at ahead.
    const iterator = rows[Symbol.iterator]();
    const next = iterator.next();
    const first = next.done ? undefined : next.value;
    const firstHeight = first && !('divider' in first) ? layoutRow(first).height : size * LEADING * 2;
    if (this.y + head.height + Math.min(firstHeight, this.box.bottom - this.box.top - head.height) > this.box.bottom && this.y > this.box.top) this.newPageWithHeading();
    emit(head, true);
    const all: Iterable<readonly Cell[] | Divider> = { [Symbol.iterator]: function* () { if (first) yield first; yield* { [Symbol.iterator]: () => iterator }; } };
    for (const cells of all) {
      if ('divider' in cells) {
        const line = this.shaper.shape(cells.divider, size * 1.4, 'bold');
        const height = size * 1.4 * LEADING + CELL_PAD;
        if (this.y + height + size * LEADING * 2 > this.box.bottom) {
          this.continueTable();
          emit(head, true);
        }
        this.page.ops.push({ kind: 'rect', x: this.box.x, y: this.y, w: this.box.width, h: height, fill: '#cccccc', stroke: null, lineWidth: 0 });
        this.page.ops.push({ kind: 'text', line, x: this.box.x + CELL_PAD, baseline: this.y + height - size * 0.5, color: 'black' });
        this.y += height;
        continue;
      }
      const row = layoutRow(cells);
      if (this.y + row.height > this.box.bottom) {
        this.continueTable();
        emit(head, true);
      }
      if (this.y + row.height > this.box.bottom) {
        // Taller than a page: fall back to flowing each cell as paragraphs so nothing is cut.
        cells.forEach((cell, i) => this.paragraph(`${columns[i]!.label}: ${cell.text}${cell.detail ? `\n${cell.detail}` : ''}`, { size, weight: cell.weight }));
        continue;
      }
      emit(row, false);
    }
  }

  /** The widest unbreakable piece (a word, a CJK character) of `text`, with a cell's padding. */
  private widestWord(text: string, size: number, weight: Weight): number {
    let widest = 0;
    for (const piece of breakPieces(text)) widest = Math.max(widest, this.shaper.width(piece.text, size, weight));
    return widest + 2 * CELL_PAD + 0.5;
  }

  /** Cells of a column with `abbreviate` whose word does not fit the column's width, in their short form. */
  private abbreviated(columns: readonly Column[], rows: readonly (readonly Cell[] | Divider)[], size: number): (readonly Cell[] | Divider)[] {
    if (!columns.some((c) => c.abbreviate)) return [...rows];
    return rows.map((row) => ('divider' in row ? row : row.map((cell, i) => {
      const c = columns[i];
      const weight = cell.weight ?? c?.weight ?? 'regular';
      if (!c?.abbreviate || this.widestWord(cell.text, size, weight) <= c.width * this.box.width) return cell;
      return { ...cell, text: c.abbreviate(cell.text) };
    })));
  }

  /**
   * The columns' widths. A column whose every cell fits on one line in less than its share gives the rest to the
   * columns whose cells wrap (fewer lines a row: at 10 pt the medicine table's names and instructions wrap less);
   * then each column is at least its widest word's (header included), what it lacks taken from the others' room
   * beyond their own widest words. Where the table cannot hold every word whole, a word too wide still breaks
   * rather than run into its neighbour.
   */
  private fittedWidths(columns: readonly Column[], rows: readonly (readonly Cell[] | Divider)[], size: number): number[] {
    const need = columns.map((c) => this.widestWord(c.label, size, 'bold'));
    const natural = [...need];
    for (const row of rows) {
      if ('divider' in row) continue;
      row.forEach((cell, i) => {
        if (i >= need.length) return;
        const weight = cell.weight ?? columns[i]!.weight ?? 'regular';
        need[i] = Math.max(need[i]!, this.widestWord(cell.text, size, weight), cell.detail ? this.widestWord(cell.detail, size, 'regular') : 0);
        const whole = Math.max(this.shaper.width(cell.text, size, weight), cell.detail ? this.shaper.width(cell.detail, size, 'regular') : 0);
        natural[i] = Math.max(natural[i]!, whole + 2 * CELL_PAD + 0.5);
      });
    }
    const widths = columns.map((c) => c.width * this.box.width);
    let freed = 0;
    widths.forEach((w, i) => { if (natural[i]! < w) { freed += w - natural[i]!; widths[i] = natural[i]!; } });
    const wrapping = widths.map((w, i) => (natural[i]! > w ? columns[i]!.width : 0));
    const shares = wrapping.reduce((a, b) => a + b, 0);
    if (shares > 0) widths.forEach((w, i) => { widths[i] = w + (freed * wrapping[i]!) / shares; });
    else widths[widths.length - 1]! += freed;
    const lack = widths.reduce((sum, w, i) => sum + Math.max(0, need[i]! - w), 0);
    if (lack === 0) return widths;
    const room = widths.map((w, i) => Math.max(0, w - need[i]!));
    const spare = room.reduce((a, b) => a + b, 0);
    if (spare < lack) return columns.map((c) => c.width * this.box.width);
    return widths.map((w, i) => (need[i]! > w ? need[i]! : w - (room[i]! * lack) / spare));
  }

  /**
   * Content inside a stroked frame. A frame that spans pages is drawn as one
   * open-ended frame per page, so the reader sees it continue.
   */
  boxed(lineWidth: number, inset: number, content: () => void): void {
    if (this.onPage) throw new Error('a boxed frame needs every page it spans: lay it out without onPage');
    const outer = this.box;
    const first = this.pages.length - 1;
    const startY = this.y;
    this.box = { ...outer, x: outer.x + inset, width: outer.width - 2 * inset };
    this.y += inset;
    try {
      content();
    } finally {
      this.box = outer;
    }
    this.y += inset;
    for (let p = first; p < this.pages.length; p++) {
      const top = p === first ? startY : outer.top;
      const bottom = p === this.pages.length - 1 ? this.y : outer.bottom;
      this.pages[p]!.ops.push({ kind: 'rect', x: outer.x, y: top, w: outer.width, h: bottom - top, fill: null, stroke: 'black', lineWidth });
    }
    this.y += 4;
  }

  /** Key–value pairs two to a line, each in half the width (a compact identity block); an empty value is left out. */
  fieldColumns(pairs: readonly (readonly [string, string | null])[], size = 9.5, keyWidth = 80): void {
    const present = pairs.filter(([, v]) => v !== null && v !== '') as (readonly [string, string])[];
    const half = this.box.width / 2;
    // Wide enough for the widest key ("Médico de cabecera"), so no key runs into its value.
    keyWidth = Math.max(keyWidth, ...present.map(([key]) => this.shaper.shape(key, size, 'bold').width + 8));
    for (let i = 0; i < present.length; i += 2) {
      const cells = present.slice(i, i + 2).map(([key, value]) => ({ key, lines: this.shaper.wrap(value, size, 'regular', half - keyWidth - 6) }));
      const height = Math.max(...cells.map((c) => c.lines.length)) * size * LEADING;
      this.ensure(height);
      cells.forEach((c, n) => {
        const x = this.box.x + n * half;
        this.page.ops.push({ kind: 'text', line: this.shaper.shape(c.key, size, 'bold'), x, baseline: this.y + size * LEADING - size * 0.3, color: '#333333' });
        c.lines.forEach((line, j) => this.page.ops.push({ kind: 'text', line, x: x + keyWidth, baseline: this.y + (j + 1) * size * LEADING - size * 0.3, color: 'black' }));
      });
      this.y += height;
    }
  }

  /**
   * Key–value lines ("Phone: 555-0100"); values wrap under themselves.
   */
  fields(pairs: readonly (readonly [string, string | null])[], size = 9.5, keyWidth = 110): void {
    for (const [key, value] of pairs) {
      if (value === null || value === '') continue;
      const lines = this.shaper.wrap(value, size, 'regular', this.box.width - keyWidth);
      lines.forEach((line, i) => {
        this.ensure(size * LEADING);
        this.y += size * LEADING;
        const baseline = this.y - size * 0.3;
        if (i === 0 && key) this.page.ops.push({ kind: 'text', line: this.shaper.shape(key, size, 'bold'), x: this.box.x, baseline, color: '#333333' });
        this.page.ops.push({ kind: 'text', line, x: this.box.x + keyWidth, baseline, color: 'black' });
      });
    }
  }
}
