import { describe, expect, it } from 'vitest';
import { detectLang } from '../../src/relevance/lang.js';

describe('detectLang', () => {
  it.each([
    ['Nvidia to invest up to $100 billion in OpenAI as the AI race heats up', 'en'],
    ['Bitcoin hits a seven-month low as investors flee risk', 'en'],
    ['Le bitcoin passe sous les 81 000 dollars', 'fr'],
    ['La Chine autorise ses géants de la tech à commander des puces IA de Nvidia', 'fr'],
    ["L'ether bat son record historique", 'fr'],
  ])('%s → %s', (text, lang) => {
    expect(detectLang(text)).toBe(lang);
  });

  it('says nothing when a text has no stop word to go by', () => {
    expect(detectLang('Nvidia H200')).toBeUndefined();
    expect(detectLang('')).toBeUndefined();
  });
});
