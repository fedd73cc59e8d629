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
