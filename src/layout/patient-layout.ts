import type { PatientRecord, Observation } from '../record/record.js';
import { Flow, LEADING, type PageBody } from './flow.js';
import type { Section } from './template.js';
import { ageOn, inNameLanguage, joinPresent, localTime, printedName } from './format.js';
import { visibleIdentity } from './visible-identity.js';
import { LIMITS_TREATMENT } from './safety-banner.js';
import { abbreviateRoute } from './route-abbreviations.js';
import { isolate } from '../text/bidi.js';
import {
  BODY, byDesc, keyedRows, L, languageName, limited, none, sectionHeading, type PatientLayoutContext, type SectionLayout,
} from './_sections.js';
import { encounterLine, immunizationsLatest, labsLatest, lastVisit, latestWeight, recentEncounters, vitalsByVisit } from './concise-sections.js';

export type { PatientLayoutContext } from './_sections.js';

/**
 * Lays out one patient's summary over as many page bodies as it needs.
 * Pure: the same record and context give the same pages, so the binder can
 * lay a patient out once to count pages and again to draw.
 */
export function layoutPatient(record: PatientRecord, ctx: PatientLayoutContext): PageBody[] {
  return layoutPatientFlow(record, ctx).pages;
}

/** The summary's flow, left open so that the patient's codes can follow on its last page (patient-pages.ts). */
export function layoutPatientFlow(record: PatientRecord, ctx: PatientLayoutContext): Flow {
  const flow = new Flow(ctx.shaper, ctx.box);
  flow.continuedHeading = (heading) => `${heading} (${L(ctx, 'continued')})`;
  identity(flow, record, ctx);
  for (const section of ctx.template.sections) SECTION_LAYOUTS[section](flow, record, ctx);
  return flow;
}

function identity(flow: Flow, r: PatientRecord, ctx: PatientLayoutContext): void {
  const p = r.patient;
  const name = printedName(p);
  const details = joinPresent('   ', [
    `${L(ctx, 'dob')} ${visibleIdentity(p.birth_date)} (${L(ctx, 'age')} ${ageOn(p.birth_date, ctx.today)})`,
    `${L(ctx, 'sex')}: ${L(ctx, `sex_${p.sex}`)}`,
    `${L(ctx, 'mrn')} ${visibleIdentity(p.mrn)}`,
  ]);
  const nameLine = flow.shaper.shape(name, 18, 'bold');
  const detailLine = flow.shaper.shape(details, 11, 'bold');
  if (ctx.template.compact && nameLine.width + 18 + detailLine.width <= flow.box.width) {
    // Name, birth date and MRN on one line when they fit: the identity a receptionist checks, in one glance.
    flow.y += 18 * LEADING;
    const baseline = flow.y - 18 * 0.3;
    flow.page.ops.push({ kind: 'text', line: nameLine, x: flow.box.x, baseline, color: 'black' });
    flow.page.ops.push({ kind: 'text', line: detailLine, x: flow.box.x + flow.box.width - detailLine.width, baseline, color: 'black' });
  } else {
    flow.paragraph(name, { size: flow.shaper.fit(name, 18, 'bold', flow.box.width), weight: 'bold' });
    flow.paragraph(details, { size: 11, weight: 'bold' });
  }
  flow.space(2);
  if (ctx.template.compact) {
    flow.fieldColumns([
      [L(ctx, 'phone'), p.phone ?? L(ctx, 'phone_none')],
      [L(ctx, 'language'), languageName(p.language, ctx.template.locale)],
      [L(ctx, 'email'), p.email],
      [L(ctx, 'preferred_name'), p.preferred_name && visibleIdentity(p.preferred_name)],
      [L(ctx, 'primary_provider'), p.primary_provider],
      [L(ctx, 'latest_weight'), latestWeight(r)],
    ], BODY, 92);
    const last = lastVisit(r, ctx.today);
    flow.fields([
      [L(ctx, 'address'), joinPresent(', ', [p.address_line, p.city, p.region, p.postal_code, p.country])],
      [L(ctx, 'last_visit'), last ? encounterLine(last) : null],
    ], BODY, 92);
    flow.space(2);
    return;
  }
  flow.fields([
    [L(ctx, 'preferred_name'), p.preferred_name && visibleIdentity(p.preferred_name)],
    [L(ctx, 'language'), languageName(p.language, ctx.template.locale)],
    [L(ctx, 'phone'), p.phone],
    [L(ctx, 'email'), p.email],
    [L(ctx, 'address'), joinPresent(', ', [p.address_line, p.city, p.region, p.postal_code, p.country])],
    [L(ctx, 'primary_provider'), p.primary_provider],
  ]);
  flow.space(6);
}

/** Width of the code status box that a compact template prints beside the allergies. */
const CODE_STATUS_WIDTH = 170;

const allergies: SectionLayout = (flow, r, ctx) => {
  flow.ensure(60);
  flow.space(4);
  if (!ctx.template.compact || !ctx.template.sections.includes('status')) return allergyBox(flow, r, ctx);
  // Code status beside the allergies: the two facts that must not be missed, side by side at the top of page 1.
  const outer = flow.box;
  const top = flow.y;
  const page = flow.pages.length;
  flow.box = { ...outer, width: outer.width - CODE_STATUS_WIDTH - 8 };
  try { allergyBox(flow, r, ctx); } finally { flow.box = outer; }
  const bottom = flow.y;
  if (flow.pages.length === page) flow.y = top;
  flow.box = { ...outer, x: outer.x + outer.width - CODE_STATUS_WIDTH, width: CODE_STATUS_WIDTH };
  try { codeStatusBox(flow, r, ctx); } finally { flow.box = outer; }
  flow.y = Math.max(flow.y, bottom);
};

function codeStatusBox(flow: Flow, { patient: p }: PatientRecord, ctx: PatientLayoutContext): void {
  flow.boxed(2.5, 0, () => {
    flow.band(L(ctx, 'code_status').toUpperCase(), 11);
    const status = p.code_status ?? L(ctx, 'code_status_not_recorded');
    if (p.code_status && LIMITS_TREATMENT.test(p.code_status)) flow.band(status, 13);
    else flow.paragraph(status, { size: p.code_status ? 12 : 10, weight: 'bold', indent: 6, width: flow.box.width - 12 });
    if (p.advance_directive) flow.paragraph(`${L(ctx, 'advance_directive')}: ${p.advance_directive}`, { size: 8.5, indent: 6, width: flow.box.width - 12 });
    flow.space(4);
  });
}

/**
 * The allergies, in three states that look different at a glance: a list under a black band, NO KNOWN
 * ALLERGIES under a grey one, and ALLERGIES NOT RECORDED reversed out of black, as a warning.
 */
function allergyBox(flow: Flow, r: PatientRecord, ctx: PatientLayoutContext): void {
  const width = (): number => flow.box.width - 12;
  flow.boxed(2.5, 0, () => {
    const active = r.allergies.filter((a) => a.status === 'active');
    const other = r.allergies.filter((a) => a.status !== 'active');
    if (r.allergies.length === 0 && r.patient.allergy_status === 'none') {
      flow.band(L(ctx, 'allergies').toUpperCase(), 13, '#6b6b6b');
      flow.paragraph(L(ctx, 'no_known_allergies'), { size: 13, weight: 'bold', indent: 6, width: width() });
    } else if (r.allergies.length === 0) {
      flow.band(L(ctx, 'allergies').toUpperCase(), 13);
      flow.band(L(ctx, 'allergies_not_recorded'), 12);
    } else {
      flow.band(L(ctx, 'allergies').toUpperCase(), 13);
    }
    for (const a of active) flow.paragraph(allergyLine(a, ctx), { size: 12, weight: 'bold', indent: 6, width: width() });
    for (const a of other) {
      flow.paragraph(`${allergyLine(a, ctx)} (${L(ctx, a.status === 'resolved' ? 'resolved' : 'inactive')})`, { size: BODY, indent: 6, width: width() });
    }
    flow.space(4);
  });
}

/** "Peanuts — throat tightness — SEVERE"; a missing reaction is said, never left out. */
function allergyLine(a: PatientRecord['allergies'][number], ctx: PatientLayoutContext): string {
  const severity = a.severity && L(ctx, `severity_${a.severity}`);
  return joinPresent(' — ', [a.substance, a.reaction ?? L(ctx, 'reaction_not_recorded'), a.severity === 'severe' ? severity?.toUpperCase() : severity]);
}

const status: SectionLayout = (flow, { patient: p, alerts }, ctx) => {
  const order = { critical: 0, warning: 1, info: 2 } as const;
  const sorted = [...alerts].sort((x, y) => order[x.severity] - order[y.severity]);
  if (ctx.template.compact) {
    // The code status is in its box beside the allergies; the alerts follow them, with no heading of their own.
    for (const a of sorted) flow.paragraph(`${a.severity === 'info' ? '•' : '!'} ${a.text}`, { size: 10, weight: a.severity === 'info' ? 'regular' : 'bold' });
    return;
  }
  sectionHeading(flow, ctx, 'status');
  flow.fields([
    [L(ctx, 'code_status'), p.code_status ?? L(ctx, 'code_status_not_recorded')],
    [L(ctx, 'advance_directive'), p.advance_directive],
  ], 10.5);
  for (const a of sorted) {
    flow.paragraph(`${a.severity === 'info' ? '•' : '!'} ${a.text}`, { size: 10.5, weight: a.severity === 'info' ? 'regular' : 'bold' });
  }
};

/**
 * Medicines that cause harm when given wrongly (ISMP's high-alert classes: anticoagulants, insulin, opioids,
 * oral methotrexate, digoxin and others), told by name: the table marks them for whoever refills or gives them.
 */
const HIGH_ALERT = /\b(warfarin|heparin|enoxaparin|dalteparin|fondaparinux|apixaban|rivaroxaban|edoxaban|dabigatran|insulin|morphine|oxycodone|hydrocodone|hydromorphone|fentanyl|methadone|tramadol|tapentadol|codeine|buprenorphine|meperidine|methotrexate|digoxin|amiodarone|lithium|glipizide|glyburide|glimepiride|potassium chloride)\b/i;
const highAlert = (name: string): boolean => HIGH_ALERT.test(name);

/** The medication table's type: the second most important thing on the page, read under stress (issue 25: at least 10 pt). */
const MEDICATION_SIZE = 10;

const medications: SectionLayout = (flow, r, ctx) => {
  sectionHeading(flow, ctx, 'medications');
  // High-alert medicines first, so that they are on page 1 however long the list (warfarin after nine others was on page 2).
  const active = r.medications.filter((m) => m.status === 'active')
    .sort((a, b) => Number(highAlert(b.name)) - Number(highAlert(a.name)) || a.name.localeCompare(b.name, ctx.template.locale));
  if (!active.length) return none(flow, L(ctx, 'medications_none'));
  // A compact template gives the name and its instructions more room: fewer wrapped lines a row.
  const w = ctx.template.compact ? [0.37, 0.11, 0.08, 0.12, 0.07, 0.11, 0.14] : [0.30, 0.11, 0.08, 0.14, 0.08, 0.13, 0.16];
  flow.table([
    { label: L(ctx, 'med_name'), width: w[0]!, weight: 'bold' },
    { label: L(ctx, 'med_dose'), width: w[1]! },
    { label: L(ctx, 'med_route'), width: w[2]!, abbreviate: abbreviateRoute },
    { label: L(ctx, 'med_frequency'), width: w[3]! },
    { label: L(ctx, 'med_refills'), width: w[4]! },
    { label: L(ctx, 'med_last_filled'), width: w[5]! },
    { label: L(ctx, 'med_prescriber'), width: w[6]! },
  ], active.map((m) => [
    { text: m.name, ...(highAlert(m.name) || m.instructions ? { detail: joinPresent(' ', [highAlert(m.name) && `${L(ctx, 'high_alert')}.`, m.instructions]) } : {}) },
    { text: m.dose ?? '' }, { text: m.route ?? '' }, { text: m.frequency ?? '' },
    { text: m.refills_remaining === null ? '' : String(m.refills_remaining) },
    { text: m.last_filled ?? '' }, { text: m.prescriber ?? '' },
  ]), MEDICATION_SIZE);
};

const problems: SectionLayout = (flow, r, ctx) => {
  sectionHeading(flow, ctx, 'problems');
  if (!r.problems.length) return none(flow, L(ctx, 'problems_none'));
  const line = (p: PatientRecord['problems'][number]): string =>
    joinPresent('  ', [p.code, p.description, p.onset_date && `(${L(ctx, 'onset')} ${p.onset_date})`]);
  for (const p of r.problems.filter((x) => x.status === 'active')) flow.paragraph(line(p), { size: BODY, weight: 'bold' });
  const resolved = r.problems.filter((x) => x.status === 'resolved');
  if (resolved.length && ctx.template.compact) {
    // One wrapped line for all of them: the active problems are what matters during an outage.
    const list = resolved.map((p) => `${joinPresent(' ', [p.code, p.description])}${p.resolved_date ? ` (${p.resolved_date})` : ''}`);
    flow.paragraph(`${L(ctx, 'problems_resolved')}: ${list.join('; ')}`, { size: 8.5, color: '#333333' });
  } else if (resolved.length) {
    flow.paragraph(`${L(ctx, 'problems_resolved')}:`, { size: BODY, color: '#333333' });
    for (const p of resolved) flow.paragraph(`${line(p)}${p.resolved_date ? ` — ${L(ctx, 'resolved')} ${p.resolved_date}` : ''}`, { size: BODY, indent: 12, color: '#333333' });
  }
};

const pharmacy: SectionLayout = (flow, { patient: p }, ctx) => {
  if (ctx.template.compact) {
    return keyedRows(flow, ctx, 'pharmacy', p.pharmacy_name ? [joinPresent('   ', [p.pharmacy_name, p.pharmacy_phone, p.pharmacy_address])] : [], 'pharmacy_none');
  }
  sectionHeading(flow, ctx, 'pharmacy', 12, 20);
  if (!p.pharmacy_name) return none(flow, L(ctx, 'pharmacy_none'));
  flow.paragraph(joinPresent('   ', [p.pharmacy_name, p.pharmacy_phone]), { size: 10.5, weight: 'bold' });
  if (p.pharmacy_address) flow.paragraph(p.pharmacy_address, { size: BODY });
};

const contacts: SectionLayout = (flow, r, ctx) => {
  const sorted = [...r.contacts].sort((a, b) => b.is_emergency - a.is_emergency || a.priority - b.priority);
  // Each field isolated: an Arabic name no longer turns the whole line right to left ("[emergency] (Son) حسين حمدان").
  const line = (c: PatientRecord['contacts'][number]): string =>
    joinPresent('   ', [inNameLanguage(r.patient, c.name), c.relationship && `(${c.relationship})`, c.phone, c.is_emergency ? `[${L(ctx, 'emergency')}]` : null].map((f) => f && isolate(f)));
  if (ctx.template.compact) return keyedRows(flow, ctx, 'contacts', sorted.map(line), 'contacts_none');
  sectionHeading(flow, ctx, 'contacts', 12, 20);
  if (!r.contacts.length) return none(flow, L(ctx, 'contacts_none'));
  for (const c of sorted) flow.paragraph(line(c), { size: 10, weight: c.is_emergency ? 'bold' : 'regular' });
};

const insurance: SectionLayout = (flow, r, ctx) => {
  const lines = [...r.coverages].sort((a, b) => a.priority - b.priority).map((c) => joinPresent('   ', [`${c.priority}.`, joinPresent(' — ', [c.payer, c.plan]),
    c.member_id && `${L(ctx, 'member_id')} ${c.member_id}`, c.group_number && `${L(ctx, 'group_number')} ${c.group_number}`]));
  if (ctx.template.compact) return keyedRows(flow, ctx, 'insurance', lines, 'insurance_none');
  sectionHeading(flow, ctx, 'insurance', 12, 20);
  if (!r.coverages.length) return none(flow, L(ctx, 'insurance_none'));
  for (const line of lines) flow.paragraph(line, { size: BODY });
};

const immunizations: SectionLayout = (flow, r, ctx) => {
  sectionHeading(flow, ctx, 'immunizations');
  if (!r.immunizations.length) return none(flow, L(ctx, 'immunizations_none'));
  flow.table([
    { label: L(ctx, 'date'), width: 0.15 }, { label: L(ctx, 'vaccine'), width: 0.55 },
    { label: L(ctx, 'dose_number'), width: 0.1 }, { label: L(ctx, 'lot'), width: 0.2 },
  ], [...r.immunizations].sort(byDesc((i) => i.given_on)).map((i) => [
    { text: i.given_on }, { text: i.vaccine }, { text: i.dose_number === null ? '' : String(i.dose_number) }, { text: i.lot ?? '' },
  ]));
};

function observationTable(category: Observation['category'], heading: string, noneKey: string): SectionLayout {
  return (flow, r, ctx) => {
    sectionHeading(flow, ctx, heading);
    const all = r.observations.filter((o) => o.category === category).sort(byDesc((o) => o.effective_at));
    if (!all.length) return none(flow, L(ctx, noneKey));
    const rows = limited(flow, ctx, all, ctx.template.limits[category === 'vital' ? 'vitals' : 'labs']);
    flow.table([
      { label: L(ctx, 'date'), width: 0.2 }, { label: L(ctx, 'test'), width: 0.36 },
      { label: L(ctx, 'result'), width: 0.2 }, { label: L(ctx, 'reference_range'), width: 0.16 }, { label: L(ctx, 'flag'), width: 0.08 },
    ], rows.map((o) => {
      const weight = o.abnormal_flag ? 'bold' as const : 'regular' as const;
      return [{ text: localTime(o.effective_at) }, { text: o.name, weight }, { text: joinPresent(' ', [o.value, o.unit]), weight },
        { text: o.reference_range ?? '' }, { text: o.abnormal_flag ?? '', weight: 'bold' as const }];
    }));
  };
}

const appointments: SectionLayout = (flow, r, ctx) => {
  const upcoming = r.appointments.filter((a) => a.status === 'booked' && a.starts_at.slice(0, 10) >= ctx.today)
    .sort((a, b) => (a.starts_at < b.starts_at ? -1 : 1))
    .map((a) => joinPresent(' — ', [localTime(a.starts_at), a.provider, a.reason, a.location]));
  if (ctx.template.compact) return keyedRows(flow, ctx, 'appointments', upcoming, 'appointments_none');
  sectionHeading(flow, ctx, 'appointments');
  if (!upcoming.length) return none(flow, L(ctx, 'appointments_none'));
  for (const a of upcoming) flow.paragraph(a, { size: BODY });
};

const procedures: SectionLayout = (flow, r, ctx) => {
  sectionHeading(flow, ctx, 'procedures');
  const all = [...r.procedures].sort(byDesc((p) => p.performed_on));
  if (!all.length) return none(flow, L(ctx, 'procedures_none'));
  for (const p of limited(flow, ctx, all, ctx.template.limits.procedures)) {
    flow.paragraph(joinPresent('  ', [p.performed_on, p.description, p.code && `(${p.code})`, p.performer && `— ${p.performer}`]), { size: BODY });
  }
};

const encounters: SectionLayout = (flow, r, ctx) => {
  sectionHeading(flow, ctx, 'encounters');
  const all = [...r.encounters].sort(byDesc((e) => e.occurred_at));
  if (!all.length) return none(flow, L(ctx, 'encounters_none'));
  for (const e of limited(flow, ctx, all, ctx.template.limits.encounters)) {
    flow.ensure(BODY * 4);
    flow.space(3);
    flow.paragraph(joinPresent(' — ', [localTime(e.occurred_at), e.kind, e.provider, e.reason]), { size: BODY, weight: 'bold' });
    if (e.note) flow.paragraph(e.note, { size: BODY, indent: 12 });
  }
};

const SECTION_LAYOUTS: Record<Section, SectionLayout> = {
  allergies, status, medications, problems, pharmacy, contacts, insurance, immunizations,
  vitals: observationTable('vital', 'vitals', 'vitals_none'),
  labs: observationTable('lab', 'labs', 'labs_none'),
  appointments, procedures, encounters,
  recent_encounters: recentEncounters, vitals_by_visit: vitalsByVisit, immunizations_latest: immunizationsLatest, labs_latest: labsLatest,
};
