/**
 * The only file that knows pdfkit's private fields and methods: the binder
 * drives pdfkit 0.20 below its public API (object offsets, page tree, outline,
 * page content, fonts, images), and every such reach goes through a function
 * here. package.json pins pdfkit's minor version (~0.20) for that reason; a
 * new pdfkit means reading this file against its lib/document.js.
 */
/// <reference types="pdfkit" />

export type PdfDoc = PDFKit.PDFDocument;

/** A PDF object (pdfkit's PDFReference): its number, its dictionary, written once by end(). */
export interface PdfObject {
  id: number;
  data: Record<string, unknown>;
  end(chunk?: Uint8Array): void;
}

/** A font pdfkit embeds (its EmbeddedFont), as a glyph run draws with it. */
export interface EmbeddedFont {
  id: string;
  /** The fontkit font it embeds. */
  font: { numGlyphs: number };
  /** Font units to the PDF's 1000-unit text space. */
  scale: number;
  ref(): unknown;
  subset: { includeGlyph(glyph: number): number };
  widths: number[];
  unicode: number[][];
}

/** The current page's parts this code writes into. */
export interface PdfPage {
  /** The page's dictionary object: its number goes into the page tree, bookmarks point at it. */
  dictionary: PdfObject;
  height: number;
  /** The page's content stream object, still unwritten. */
  content: { compress: boolean; data: Record<string, unknown>; buffer: unknown[]; write(chunk: Uint8Array): void };
  /** The page's resources: fonts and images by label. */
  fonts: Record<string, unknown>;
  xobjects: Record<string, unknown>;
}

/** What pdfkit does with its object offsets: a length, push() for a new object, iteration for the cross-reference table. */
export interface OffsetTable {
  readonly length: number;
  push(): number;
  set(index: number, offset: number): void;
  [Symbol.iterator](): Iterator<number>;
}

interface DocumentInternals {
  page: PdfPage;
  _root: PdfObject & { data: { Pages: PdfObject & { data: { Kids: unknown[] } } } };
  _info: PdfObject;
  _id: Uint8Array;
  _security: unknown;
  _offsets: unknown;
  _offset: number;
  _waiting: number;
  _ended: boolean;
  _font: EmbeddedFont;
  _imageCount: number;
  ref(data: Record<string, unknown>): PdfObject;
  addContent(data: string): unknown;
  _normalizeColor(color: string): number[] | null;
  _refEnd(ref: { id: number; offset: number }): void;
  _finalize(): void;
  _write(data: string | Uint8Array): void;
  push(chunk: Uint8Array | null): boolean;
}

const internals = (doc: PdfDoc): DocumentInternals => doc as unknown as DocumentInternals;

/** A new PDF object with `data` as its dictionary; written when its end() is called. */
export function newObject(doc: PdfDoc, data: Record<string, unknown>): PdfObject {
  return internals(doc).ref(data);
}

/** The page pdfkit is drawing (after doc.addPage()). */
export function currentPage(doc: PdfDoc): PdfPage {
  return internals(doc).page;
}

/** The document catalog (its root object), where the outline is attached. */
export function catalog(doc: PdfDoc): PdfObject {
  return internals(doc)._root;
}

/** The page tree's Kids array, as pdfkit fills it: one page dictionary pushed by each addPage(). */
export function pageTreeKids(doc: PdfDoc): unknown[] {
  return internals(doc)._root.data.Pages.data.Kids;
}

/** Puts `kids` in place of the page tree's Kids array. */
export function setPageTreeKids(doc: PdfDoc, kids: unknown[]): void {
  internals(doc)._root.data.Pages.data.Kids = kids;
}

/** pdfkit's reference class (PDFReference's prototype): pdfkit prints an entry of it with toString(). */
export function referencePrototype(doc: PdfDoc): object {
  return Object.getPrototypeOf(Object.getPrototypeOf(internals(doc)._root)) as object;
}

/** Sends what pdfkit would add to the current page's content (its addContent) to `sink` instead. */
export function redirectContent(doc: PdfDoc, sink: (operators: string) => void): void {
  internals(doc).addContent = (data: string) => {
    sink(data);
    return doc;
  };
}

/** Adds operators to the current page's content the way pdfkit's drawing methods do (a line feed after them). */
export function addContent(doc: PdfDoc, operators: string): void {
  internals(doc).addContent(operators);
}

/** A colour (CSS name or hex, as pdfkit takes it) as pdfkit's colour components, or null if pdfkit does not know it. */
export function colorComponents(doc: PdfDoc, color: string): number[] | null {
  return internals(doc)._normalizeColor(color);
}

/** Selects the registered font `name` (doc.font()) and returns the font pdfkit embeds for it. */
export function selectFont(doc: PdfDoc, name: string): EmbeddedFont {
  doc.font(name);
  return internals(doc)._font;
}

/** The next image label (I1, I2, …), counted as pdfkit's image() counts them. */
export function nextImageLabel(doc: PdfDoc): string {
  return `I${++internals(doc)._imageCount}`;
}

/**
 * Makes `doc` record its objects' offsets in `table` instead of its array of
 * numbers. `doc` must be new: no object ended yet. `carry` gets the offsets
 * pdfkit's constructor has already recorded (root, pages, info, names).
 */
export function replaceObjectOffsets(doc: PdfDoc, table: OffsetTable, carry: (existing: readonly (number | null)[]) => void): void {
  const d = internals(doc);
  carry(d._offsets as (number | null)[]);
  d._offsets = table;
  // pdfkit 0.20's _refEnd, storing the offset in the table instead of by index.
  d._refEnd = function refEnd(this: DocumentInternals, ref) {
    table.set(ref.id - 1, ref.offset);
    if (--this._waiting === 0 && this._ended) {
      this._finalize();
      this._ended = false;
    }
  };
}

/** The table replaceObjectOffsets put in place (or pdfkit's own array). */
export function objectOffsets(doc: PdfDoc): unknown {
  return internals(doc)._offsets;
}

/** Whether `doc` is encrypted (its trailer then carries more than endObjects' caller writes). */
export function isEncrypted(doc: PdfDoc): boolean {
  return Boolean(internals(doc)._security);
}

/**
 * Ends `doc` up to its cross-reference table: calls doc.end() and resolves
 * once every object is written, where pdfkit would write the table itself
 * (its _finalize, called at once or when the last object ends; not called here).
 */
export async function endObjects(doc: PdfDoc): Promise<void> {
  const d = internals(doc);
  const allWritten = new Promise<void>((resolve) => { d._finalize = resolve; });
  doc.end();
  await allWritten;
}

/** How many bytes the document has written so far: where the next write starts. */
export function writtenBytes(doc: PdfDoc): number {
  return internals(doc)._offset;
}

/** Writes straight into the document's output, as pdfkit's _write: a string with a line feed after it, bytes as they are. */
export function writeRaw(doc: PdfDoc, data: string | Uint8Array): void {
  internals(doc)._write(data);
}

/** The trailer's references: the catalog, the info dictionary and the file identifier, as pdfkit writes them. */
export function trailerParts(doc: PdfDoc): { root: string; info: string; id: Uint8Array } {
  const d = internals(doc);
  return { root: String(d._root), info: String(d._info), id: d._id };
}

/** Ends the document's output stream ('end' follows). */
export function endOutput(doc: PdfDoc): void {
  internals(doc).push(null);
}
