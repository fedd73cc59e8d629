import { describe, it, expect } from 'vitest';
import { baseLetter, needsRomanisation, romanise } from '../../src/text/romanise.js';

describe('a name in Latin letters for a reader of Latin letters', () => {
  it('romanises Korean, Cyrillic, Greek, kana and Han, with one capital a word', () => {
    expect(romanise('장, 성민')).toBe('Jang, Seongmin');
    expect(romanise('Морозов, Алексей')).toBe('Morozov, Aleksey');
    expect(romanise('Παππά, Παναγιώτα')).toBe('Pappa, Panagiota');
    expect(romanise('Παπαδοπούλου, ΑΝΤΩΝΙΟΥ')).toBe('Papadopoulou, ANTONIOU');
    expect(romanise('山田, めぐみ')).toBe('Shantian, Megumi');
    expect(romanise('马, 国华')).toBe('Ma, Guohua');
  });

  it('writes the Arabic article as al- and drops the apostrophes of glottal stops', () => {
    expect(romanise('السيد, رقية')).toBe('al-Syd, Rqyh');
    expect(romanise('إبراهيم')).toMatch(/^[A-Z][a-z]+$/);
  });

  it('keeps Latin names, their diacritics and the marks of hidden characters exactly as written', () => {
    for (const name of ['Đặng, Văn', 'Adékúnlé, Títílayọ̀', 'Reyes‹U+200B›, Jesús']) {
      expect(needsRomanisation(name)).toBe(false);
      expect(romanise(name)).toBe(name);
    }
  });

  it('joins a Persian name across its ZWNJ, which means nothing in Latin letters', () => {
    expect(romanise('حسن\u200Cزاده')).not.toMatch(/\u200C/);
  });

  it('files by the base letter, A–Z', () => {
    expect(baseLetter('Đặng')).toBe('D');
    expect(baseLetter('Øster')).toBe('O');
    expect(baseLetter('Łukasz')).toBe('L');
    expect(baseLetter('Ávila')).toBe('A');
    expect(baseLetter('123')).toBe('#');
  });
});
