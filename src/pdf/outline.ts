/**
 * The binder's bookmarks, written as the print goes. pdfkit's outline keeps
 * every bookmark (its object, dictionary, title and destination) until the
 * document ends, about 0.5 KB a patient; here a bookmark is written as soon as
 * the next one is known, and only the last one is held.
 *
 * The front matter's bookmarks are read first but drawn last (page-tree.ts):
 * their objects are reserved at the start, so the first patient's bookmark
 * can point back at them before they are filled in.
 */
import { catalog, currentPage, newObject, type PdfDoc, type PdfObject } from './_pdfkit.js';

export class Outline {
  private readonly root: PdfObject;
  private readonly front: PdfObject[];
  private frontFilled = 0;
  private first: PdfObject | undefined;
  /** The latest bookmark after the front matter's, written once the next one (or the end) is known. */
  private last: PdfObject | undefined;

  /** `frontBookmarks`: how many bookmarks the front matter will add with addFront(). */
  constructor(private readonly doc: PdfDoc, frontBookmarks: number) {
    this.root = newObject(doc, {});
    this.front = Array.from({ length: frontBookmarks }, () => newObject(doc, {}));
  }

  /** A bookmark to the current page, after all the others so far. */
  add(title: string): void {
    const item = newObject(this.doc, this.entry(title));
    if (this.last) {
      item.data.Prev = this.last;
      this.last.data.Next = item;
      written(this.last);
    } else {
      this.first = item;
      if (this.front.length > 0) item.data.Prev = this.front.at(-1);
    }
    this.last = item;
  }

  /** The front matter's next bookmark, to the current page: it comes before every bookmark add() makes. */
  addFront(title: string): void {
    const i = this.frontFilled++;
    const item = this.front[i];
    if (!item) throw new Error(`the outline has room for ${this.front.length} front matter bookmarks, not ${i + 1}`);
    Object.assign(item.data, this.entry(title));
    if (i > 0) item.data.Prev = this.front[i - 1];
    const next = this.front[i + 1] ?? this.first;
    if (next) item.data.Next = next;
  }

  /** Writes the bookmarks not yet written and makes them the document's outline. Call just before doc.end(). */
  end(): void {
    if (this.frontFilled !== this.front.length) throw new Error(`${this.frontFilled} front matter bookmarks of ${this.front.length} were added`);
    if (this.last) written(this.last);
    for (const item of this.front) written(item);
    const first = this.front[0] ?? this.first;
    const last = this.last ?? this.front.at(-1);
    if (first && last) {
      Object.assign(this.root.data, { First: first, Last: last });
      Object.assign(catalog(this.doc).data, { Outlines: this.root, PageMode: 'UseOutlines' });
    }
    this.root.end();
  }

  private entry(title: string): Record<string, unknown> {
    const page = currentPage(this.doc);
    // Top left of the page, the reader's zoom kept. pdfkit strings are String objects; plain strings are PDF names.
    return { Title: new String(title), Parent: this.root, Dest: [page.dictionary, 'XYZ', 0, page.height, 0] };
  }
}

/**
 * Writes a bookmark and lets go of what it said. Each bookmark points at the
 * one before, and through its destination at a page's dictionary and
 * resources: kept, the chain held every page with a bookmark until the end
 * (found in a heap snapshot). Only its object number is needed afterwards.
 */
function written(item: PdfObject): void {
  item.end();
  item.data = {};
}
