/** A patient's immunizations: childhood series, seasonal flu, adult vaccines (Tdap, shingles, pneumococcal, COVID-19, hepatitis B). */
import { YEAR, civilFromDays, daysFromCivil, isoDate, parseDay } from './_calendar.js';
import { fillPattern } from './_identifiers.js';
import { CHART_YEARS, type PatientDraft } from './_patient-draft.js';
import type { ImmunizationsVocab, VaccineDef } from './_vocabulary.js';
import { lowerFirst } from './_words.js';

function vaccineProduct(pt: PatientDraft, series: string, day: number): VaccineDef | null {
  const imm = pt.v.imm;
  const list = imm.products[series];
  const ids = Array.isArray(list) ? list : [series];
  for (const id of ids) {
    const vdef = imm.vaccines[id];
    if (!vdef) continue;
    if (vdef.since && day < parseDay(vdef.since)) continue;
    if (vdef.until && day > parseDay(vdef.until)) continue;
    return vdef;
  }
  return null;
}

function giveVaccine(pt: PatientDraft, vdef: VaccineDef, day: number, doseNumber: number | null): void {
  const rng = pt.rng;
  const imm = pt.v.imm;
  const age = pt.ageAt(day);
  const historic = day < pt.joinDay;
  const siteList = vdef.route === 'oral' ? imm.sites.oral! : age < 1 ? imm.sites.infant! : age < 3 ? imm.sites.child! : imm.sites.adult!;
  pt.immunizations.push({
    id: '', patient_id: pt.pid, vaccine: vdef.name, given_on: isoDate(day), dose_number: doseNumber,
    lot: historic && rng.chance(0.45) ? null : fillPattern(rng, rng.pick(imm.lotFormats)),
    site: historic && rng.chance(0.45) ? null : rng.pick(siteList),
    updated_at: pt.stamp(Math.max(day, pt.joinDay), 600, rng.int(5, 600)),
  });
  const given = pt.immunizations[pt.immunizations.length - 1]!;
  if (!historic && doseNumber === null && given.lot && rng.chance(0.12)) {
    pt.nurseVaccineDays.push({
      day,
      slots: {
        vaccine: vdef.name, vaccine_short: vdef.short ?? vdef.name, lot: given.lot,
        vaccine_site: given.site ? ` IM in the ${lowerFirst(given.site)}` : '',
      },
    });
  }
}

/** Every immunization on file; the order of the parts keeps the random sequence (and so the clinic) the same. */
export function chooseImmunizations(pt: PatientDraft): void {
  // Childhood series (for everyone born in the last 19 years; older adults' childhood records are rarely on file).
  if (pt.ageNow < 19) for (const s of pt.v.imm.childhood) giveChildhoodSeries(pt, s);
  giveFluSeasons(pt);
  const adultFrom = Math.max(pt.dayAtAge(19), pt.joinDay - Math.round(3 * YEAR));
  giveTetanus(pt, adultFrom);
  giveShingles(pt);
  givePneumococcal(pt);
  giveCovid(pt);
  giveHepatitisB(pt, adultFrom);
}

/** A day in [a, b], or null when the range is empty. */
function dayBetween(pt: PatientDraft, a: number, b: number): number | null {
  return a > b ? null : pt.rng.int(a, b);
}

function giveChildhoodSeries(pt: PatientDraft, s: ImmunizationsVocab['childhood'][number]): void {
  const rng = pt.rng;
  if (!rng.chance(s.coverage)) {
    if (!rng.chance(0.3)) return; // partially vaccinated
  }
  const partialStop = rng.chance(0.08) ? rng.int(1, s.doses.length) : s.doses.length;
  for (let i = 0; i < s.doses.length && i < partialStop; i++) {
    const day = pt.birthDay + s.doses[i]! + rng.int(0, s.jitter[i] ?? 0);
    if (day > pt.clock.nowDay) break;
    if (s.maxAge !== undefined && day - pt.birthDay > s.maxAge) break;
    const vdef = vaccineProduct(pt, s.vaccine, day);
    if (vdef) giveVaccine(pt, vdef, day, i + 1);
  }
}

/** Seasonal flu since shortly before the chart's history begins. */
function giveFluSeasons(pt: PatientDraft): void {
  const rng = pt.rng;
  const now = pt.clock.nowDay;
  const [nowYear] = civilFromDays(now);
  const firstSeason = Math.max(civilFromDays(pt.chartFrom)[0] - 1, nowYear - CHART_YEARS);
  for (let y = firstSeason; y <= nowYear; y++) {
    const day = daysFromCivil(y, 9, 10) + rng.int(0, 80);
    if (day > now || pt.ageAt(day) < 0.5) continue;
    const a = pt.ageAt(day);
    const base = a < 18 ? 0.5 : a < 50 ? 0.3 : a < 65 ? 0.45 : 0.68;
    if (!rng.chance(base * (0.3 + 1.3 * pt.fluPropensity))) continue;
    const series = a >= 65 ? (day >= parseDay('2024-07-01') ? 'flu_hd_tri' : day >= parseDay('2020-08-01') ? 'flu_hd_quad' : 'flu_quad')
      : day >= parseDay('2024-07-01') ? 'flu_tri' : day >= parseDay('2013-08-01') ? 'flu_quad' : 'flu_tri';
    const vdef = pt.v.imm.vaccines[series];
    if (vdef) giveVaccine(pt, vdef, day, null);
  }
}

/** Tdap once as an adult, Td 10 years later. */
function giveTetanus(pt: PatientDraft, adultFrom: number): void {
  const rng = pt.rng;
  const now = pt.clock.nowDay;
  if (!(pt.ageNow >= 19 && rng.chance(0.6))) return;
  const d = dayBetween(pt, adultFrom, now);
  if (d === null) return;
  giveVaccine(pt, pt.v.imm.vaccines.tdap!, d, null);
  const td = d + Math.round(10 * YEAR) + rng.int(0, 400);
  if (td <= now && rng.chance(0.6)) giveVaccine(pt, pt.v.imm.vaccines.td!, td, null);
}

/** Shingles: recombinant 2 doses at 50+ (from 2018), live vaccine before that. */
function giveShingles(pt: PatientDraft): void {
  const rng = pt.rng;
  const now = pt.clock.nowDay;
  const age = pt.ageNow;
  if (age >= 50 && rng.chance(0.45)) {
    const d = dayBetween(pt, Math.max(pt.dayAtAge(50), parseDay('2018-01-15'), pt.joinDay - 365), now);
    if (d !== null) {
      giveVaccine(pt, pt.v.imm.vaccines.zoster_rec!, d, 1);
      const d2 = d + rng.int(60, 180);
      if (d2 <= now && rng.chance(0.85)) giveVaccine(pt, pt.v.imm.vaccines.zoster_rec!, d2, 2);
    }
  } else if (age >= 62 && rng.chance(0.15)) {
    const d = dayBetween(pt, Math.max(pt.dayAtAge(60), parseDay('2008-01-01'), pt.joinDay - 365), Math.min(now, parseDay('2017-12-31')));
    if (d !== null) giveVaccine(pt, pt.v.imm.vaccines.zoster_live!, d, null);
  }
}

/** Pneumococcal at 65+: PCV20 since late 2021, PCV13 then PPSV23 before. */
function givePneumococcal(pt: PatientDraft): void {
  const rng = pt.rng;
  const now = pt.clock.nowDay;
  if (!(pt.ageNow >= 65 && rng.chance(0.62))) return;
  const d = dayBetween(pt, Math.max(pt.dayAtAge(65), pt.joinDay - 365), now);
  if (d === null) return;
  if (d >= parseDay('2021-10-20')) giveVaccine(pt, pt.v.imm.vaccines.pcv20!, d, null);
  else {
    giveVaccine(pt, pt.v.imm.vaccines.pcv13!, d, null);
    const d2 = d + rng.int(365, 500);
    if (d2 <= now) giveVaccine(pt, pt.v.imm.vaccines.ppsv23!, d2, null);
  }
}

/** COVID-19 from 2021: two doses when eligible by age, then some of the yearly boosters. */
function giveCovid(pt: PatientDraft): void {
  const rng = pt.rng;
  const now = pt.clock.nowDay;
  const age = pt.ageNow;
  const covidStart = parseDay('2021-01-10');
  if (!(now > covidStart && pt.ageAt(parseDay('2021-11-01')) >= 5 && rng.chance(age >= 65 ? 0.8 : 0.6))) return;
  const pfizer = rng.chance(0.6);
  const eligible = pt.ageAt(parseDay('2021-05-15')) >= 12 ? (age >= 65 ? parseDay('2021-01-20') : parseDay('2021-04-15')) : parseDay('2021-11-05');
  const d1 = eligible + rng.int(0, 120);
  if (d1 > now) return;
  const v1 = pt.v.imm.vaccines[pfizer ? 'covid_pfizer' : 'covid_moderna']!;
  giveVaccine(pt, v1, d1, 1);
  const d2 = d1 + (pfizer ? 21 : 28) + rng.int(0, 10);
  if (d2 <= now) giveVaccine(pt, v1, d2, 2);
  const boosters: [string, string, number][] = [['covid_bivalent_pfizer', '2022-09-05', 0.35], ['covid_updated', '2023-09-15', 0.22], ['covid_updated', '2024-09-01', 0.18]];
  for (const [id, from, p] of boosters) {
    const d = parseDay(from) + rng.int(0, 100);
    const vdef = pt.v.imm.vaccines[id === 'covid_bivalent_pfizer' && !pfizer ? 'covid_bivalent_moderna' : id];
    if (d <= now && vdef && rng.chance(p)) giveVaccine(pt, vdef, d, null);
  }
}

/** Hepatitis B series for a few adults. */
function giveHepatitisB(pt: PatientDraft, adultFrom: number): void {
  const age = pt.ageNow;
  if (!(age >= 19 && age < 60 && pt.rng.chance(0.06))) return;
  const d = dayBetween(pt, adultFrom, pt.clock.nowDay - 200);
  if (d !== null) [0, 30, 180].forEach((off, i) => giveVaccine(pt, pt.v.imm.vaccines.hepb_adult!, d + off, i + 1));
}
