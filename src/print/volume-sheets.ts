// Its own file so that the command line reads it without loading the print code (pdfkit, fontkit: 0.3 s).

/**
 * A 3-inch D-ring binder's worth of 20 lb (75 g/m²) paper. Makers rate a 3-inch D ring at 600 sheets of 20 lb
 * (Avery's capacity chart; a sheet is 0.1 mm, 600 are 60 mm of the rings' 76); 500 leaves a sixth of the rings free,
 * so the pages of a volume still turn flat during an outage and a sheet can be taken out and put back.
 */
export const DEFAULT_VOLUME_SHEETS = 500;
