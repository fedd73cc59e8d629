/**
 * Routes of administration in their short forms, used only where the full word does not fit the medication
 * table's Route column (at 10 pt "intranasal" needs 48 pt, the column 40). The forms are the usual ones of
 * prescriptions and medication administration records; where ISMP's List of Error-Prone Abbreviations (2021)
 * warns against one it is not used: "IN" (read as IM or IV) gives "NAS", "SC"/"SQ" (read as SL or "5 every")
 * gives "subcut"; "ophth" for the eye, never "OU".
 */
export const ROUTE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  intranasal: 'NAS',
  nasal: 'NAS',
  ophthalmic: 'ophth',
  transdermal: 'TD',
  subcutaneous: 'subcut',
  intramuscular: 'IM',
  intravenous: 'IV',
  sublingual: 'SL',
  inhaled: 'inh',
  inhalation: 'inh',
  nebulized: 'neb',
  topical: 'top',
  rectal: 'PR',
  vaginal: 'PV',
  oral: 'PO',
  'by mouth': 'PO',
};

/** The route's short form from the table, or the route as written when the table has none. */
export function abbreviateRoute(route: string): string {
  return ROUTE_ABBREVIATIONS[route.trim().toLowerCase()] ?? route;
}
