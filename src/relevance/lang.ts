// Language of a headline, from stop-word counts: enough to tell English from French news for the
// evaluation per language and for the story clusterer's stop words, with no model to load.
import { tokens } from './fold.js';

/** Frequent English function words (folded), none of which is a French word. */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'the a an of to in on for and or but with without from by as at is are was were be been being has have had ' +
    'its it this that these those their they them he she his her we our you your will would could should may might ' +
    'can not no after before over under into about than then so such up down out off more most new says said ' +
    'who which what when where why how all any each some other also just only amid while until against between ' +
    'first last year years week weeks day days s billion million trillion'
  ).split(' '),
);

/** Frequent French function words (folded), none of which is an English word. */
export const FRENCH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'le la les l un une des du de d et ou mais avec sans pour par sur sous dans chez entre vers selon apres avant ' +
    'au aux ce cet cette ces son sa ses leur leurs il elle ils elles on nous vous qui que qu quoi dont ou est sont ' +
    'etait ete etre a ont avait sera va vont fait plus moins tres aussi encore deja ne pas n se s sa y en lui ' +
    'milliard milliards millions premier premiere nouveau nouvelle contre apres malgre grace lors depuis'
  ).split(' '),
);

// Words both lists would claim are dropped from the count ("a", "on", "s", "plus"...).
const SHARED = new Set(['a', 'on', 's', 'plus']);

/**
 * Guesses whether a text is English or French by counting stop words of each language.
 * Returns undefined when neither has at least one stop word more than the other (a bare name,
 * a ticker list), so callers can fall back to a declared language.
 */
export function detectLang(text: string): 'en' | 'fr' | undefined {
  let en = 0;
  let fr = 0;
  for (const t of tokens(text)) {
    if (SHARED.has(t)) continue;
    if (ENGLISH_STOP_WORDS.has(t)) en += 1;
    if (FRENCH_STOP_WORDS.has(t)) fr += 1;
  }
  // French elisions (l’, d’, qu’) split off one-letter tokens that English never has.
  if (/\b[ldjnsmtc]['’]\p{L}|\bqu['’]/iu.test(text)) fr += 1;
  if (en === fr) return undefined;
  return en > fr ? 'en' : 'fr';
}
