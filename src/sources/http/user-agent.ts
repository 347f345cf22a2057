// The User-Agent every fetch sends: `wirewatch/<version> (+<contact>)`, so a feed's operator can
// see who polls them and how to reach whoever runs this instance.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where people can read about wirewatch when the operator gave no contact. */
export const PROJECT_URL = 'https://github.com/wirewatch/wirewatch';

/**
 * Finds our package.json by walking up from this module: the same code runs from src/ (tsx,
 * vitest) and from dist/ (built), at different depths. '0.0.0' if it cannot be found.
 */
function readVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (typeof pkg === 'object' && pkg !== null && 'name' in pkg && pkg.name === 'wirewatch' && 'version' in pkg && typeof pkg.version === 'string') {
        return pkg.version;
      }
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return '0.0.0';
}

/** The version of this wirewatch, from package.json, read once at start. */
export const WIREWATCH_VERSION: string = readVersion();

/**
 * Undefined when `contact` can go inside the User-Agent, else why not. An email or URL is
 * printable ASCII; parentheses would end the comment early and CR/LF would split the header.
 */
export function contactProblem(contact: string): string | undefined {
  if (contact.trim() === '') return 'the contact is empty';
  if (!/^[\x21-\x7e]+$/.test(contact)) return 'the contact must be printable ASCII without spaces (an email address or a URL)';
  if (/[()]/.test(contact)) return 'the contact must not contain parentheses';
  return undefined;
}

/** `wirewatch/<version> (+<contact>)`, or the project URL in place of a missing contact. */
export function userAgentFor(contact: string | undefined): string {
  return `wirewatch/${WIREWATCH_VERSION} (+${contact ?? PROJECT_URL})`;
}
