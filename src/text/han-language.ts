/**
 * Which Han glyph forms a text takes. Chinese and Japanese share Han code
 * points but not glyph shapes (直 骨 海 differ between Noto Sans SC and JP), so
 * the text itself must say when it is Japanese: a text with kana is; a name
 * is Japanese by its patient (isJapaneseName) and carries that to the shaper
 * as Unicode's plain-text language tag (inJapanese), which draws nothing.
 */
import { romanise } from './romanise.js';

/** U+E0001 LANGUAGE TAG then "ja" in tag letters (Unicode §23.9): the Han that follows is Japanese. */
export const JAPANESE_TAG = '\u{E0001}\u{E006A}\u{E0061}';
/** U+E007F CANCEL TAG: the tag's scope ends. */
export const CANCEL_TAG = '\u{E007F}';
/** Tag characters: a language tag's introducer, letters and cancel. */
export const TAG_CHARACTER = /[\u{E0001}\u{E0020}-\u{E007F}]/u;
const TAGS = /[\u{E0001}\u{E0020}-\u{E007F}]/gu;
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const HAN = /\p{Script=Han}/u;

/** `text` tagged as Japanese, so that the shaper draws its Han characters with the JP face. */
export function inJapanese(text: string): string {
  return text === '' ? text : `${JAPANESE_TAG}${text}${CANCEL_TAG}`;
}

/** `text` without tag characters. */
export function withoutTags(text: string): string {
  return TAG_CHARACTER.test(text) ? text.replace(TAGS, '') : text;
}

/** Whether a text has kana, which only Japanese writes: its Han characters are Japanese too. */
export function hasKana(text: string): boolean {
  return KANA.test(text);
}

export interface NameFacts {
  language: string | null | undefined;
  family: string;
  given: string;
  latinFamily?: string | null | undefined;
  latinGiven?: string | null | undefined;
}

/**
 * Whether a patient's name is Japanese, so it is drawn with Japanese glyph forms:
 * the patient speaks Japanese (language ja); or the name has kana; or, for a name
 * in Han characters of a patient whose language is not Chinese (the sample's
 * Japanese patients are 60% "en"), the store's Latin alias is not the Chinese
 * reading of the characters ("Okada" for 岡田, not "Gangtian"), where a Chinese
 * name's alias is its pinyin ("Chen" for 陈). Korean and other names have no
 * Han to choose for.
 */
export function isJapaneseName(n: NameFacts): boolean {
  const language = (n.language ?? '').toLowerCase();
  if (/^ja(?:-|$)/.test(language)) return true;
  const name = `${n.family} ${n.given}`;
  if (hasKana(name)) return true;
  if (!HAN.test(name) || /^(?:zh|yue|cmn|nan|hak|wuu|ko)(?:-|$)/.test(language)) return false;
  const letters = (s: string): string => s.normalize('NFD').replace(/[^\p{L}]|\p{M}/gu, '').toLowerCase();
  // Each part the store has an alias for, against that part's pinyin.
  const differs = (latin: string | null | undefined, written: string): boolean =>
    !!latin && HAN.test(written) && letters(latin) !== '' && letters(latin) !== letters(romanise(written));
  return differs(n.latinFamily, n.family) || differs(n.latinGiven, n.given);
}
