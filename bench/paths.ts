// Where the benches live and how they start one another. `npm run bench` runs them compiled by
// tsc into .bench-build/, as `npm start` runs dist/ (tsx's own code and its keep-names wrappers
// would otherwise be counted as the bot's CPU and memory); `npx tsx bench/….ts` still works.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** True when the benches run as compiled JavaScript. */
export const COMPILED = !import.meta.url.endsWith('.ts');

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root: the nearest folder above the benches with a package.json. */
export const ROOT: string = (() => {
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${here}`);
  }
})();

/** Node arguments that run the bench script `name` (no extension) that sits beside this one. */
export function scriptArgs(name: string): string[] {
  return COMPILED ? [join(here, `${name}.js`)] : ['--import', 'tsx', join(here, `${name}.ts`)];
}
