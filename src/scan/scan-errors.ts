// Failures of reading scans and PDFs back that a user can act on.
// Messages name the file and the problem, never a record's contents.
import { PaperchartError } from '../errors.js';

export class UnreadablePdfError extends PaperchartError {
  constructor(readonly file: string, readonly detail: string) {
    super('E_UNREADABLE_PDF', `${file} is not a readable PDF (${detail})`,
      'check that the file was copied or downloaded completely (a truncated PDF lacks its %%EOF end marker); ' +
      'scan or save the pages again as PDF, PNG or JPEG');
  }
}

export class PdfPageRangeError extends PaperchartError {
  constructor(readonly file: string, readonly page: number, readonly pageCount: number) {
    super('E_PDF_PAGE_RANGE', `${file} has ${pageCount} page${pageCount === 1 ? '' : 's'}, there is no page ${page}`,
      `pass page numbers from 1 to ${pageCount}`);
  }
}

/** A page or image larger than any scan: refused before it is decoded, so it cannot exhaust memory. */
export class OversizedImageError extends PaperchartError {
  constructor(readonly file: string, readonly page: number | undefined, readonly width: number, readonly height: number, readonly maxPixels: number) {
    super('E_IMAGE_TOO_LARGE',
      `${file}${page === undefined ? '' : ` page ${page}`} is ${Math.round(width)}×${Math.round(height)} pixels, ` +
      `more than the ${Math.round(maxPixels / 1e6)} million a page may have (a 600-dpi Letter or A4 scan); not read`,
      'scan the page again at 600 dpi or less, on paper no larger than Legal or A4');
  }
}
