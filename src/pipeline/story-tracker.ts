// The cross-source story index, backed by the store: items from different outlets about the same
// event get one story id, so the first report alerts and later ones update it.
import { createStoryIndex, STORY_REPRESENTATIVES, type StoryAssignment, type StoryIndex, type StoryIndexItem, type StoryMember, type StoryRecord as IndexRecord, type StorySignature } from '../relevance/stories.js';
import { REPORTED_BY_NAMES } from '../domain.js';
import { STORY_JSON, type Store, type StoryRecord, type StoryReport, type StoryWrite } from '../store/store.js';
import { packed } from '../packed.js';

/** Stories are compared within this window (the 48 h), in ms. */
export const STORY_WINDOW_MS = 48 * 3_600_000;
/** How long a story record outlives its last report in the store, in ms. */
export const STORY_TTL_MS = STORY_WINDOW_MS + 3_600_000;
/** How long a tracker trusts its copy of the index before reading the store again, in ms. */
export const STORY_REFRESH_MS = 60_000;

export interface StoryBatch {
  /**
   * Places one item; `outlet` is the publisher or the source's name. `outlets` names the story's
   * first `REPORTED_BY_NAMES` named outlets in the order of their first report; `outletCount`
   * counts them all.
   */
  assign(item: StoryIndexItem): StoryAssignment & { outlets: string[]; outletCount: number };
  /** What this batch changed of the stories it created or extended, as the store takes it (what `commit` writes). */
  touched(): StoryWrite[];
  /** Writes what this batch changed of the stories it created or extended. */
  commit(): Promise<void>;
}

/**
 * A member as the store keeps it: its signature's content words joined by spaces (folded words
 * never hold one). Serialising a story writes one string per representative instead of one per
 * word.
 */
type StoredMember = Omit<StoryMember, 'signature'> & { signature?: (Omit<StorySignature, 'tokens'> & { tokens: string | string[] }) | undefined };

/**
 * A representative as the store is given it, made once (members are never changed: a later
 * report of an outlet replaces its member): its stored form and JSON text (see `STORY_JSON`).
 */
interface StoredForms {
  stored: StoredMember;
  json: string;
}
const forms = new WeakMap<StoryMember, StoredForms>();

function formsOf(member: StoryMember): StoredForms {
  let made = forms.get(member);
  if (made === undefined) {
    const sig = member.signature;
    const stored: StoredMember = sig === undefined ? member : { ...member, signature: { ...sig, tokens: sig.tokens.join(' ') } };
    made = { stored, json: JSON.stringify(stored) };
    forms.set(member, made);
  }
  return made;
}

/**
 * A member read from the store, its words as a list again (records written before they were
 * joined hold the list). The index gives it the shape of the members it makes (`createStoryIndex`'s
 * `initial`).
 */
function memberOf(stored: StoredMember): StoryMember {
  const sig = stored.signature;
  if (sig === undefined || typeof sig.tokens !== 'string') return stored as StoryMember;
  return { ...stored, signature: { ...sig, tokens: sig.tokens === '' ? [] : sig.tokens.split(' ') } };
}

/**
 * The store keeps a story in two parts: its head (its first `STORY_REPRESENTATIVES` members, with
 * the signatures later items are compared with, and whether it is breaking), written when one of
 * those changes, and one report per later outlet, written alone: a story reported by hundreds of
 * outlets costs one small write per report instead of the whole story at each. A member with no
 * outlet (each counts as its own) is kept under a name no outlet has.
 */
const NO_OUTLET = '\u0000';

function reportOf(member: StoryMember, seq: number): StoryReport {
  return { outlet: member.source ?? `${NO_OUTLET}${seq}`, seq, at: member.time };
}

/** What a batch writes of a story: its head when `head`, and the later reports at `reports`. */
function toWrite(r: IndexRecord, head: boolean, reports: Iterable<number>): StoryWrite {
  const written: StoryReport[] = [];
  for (const i of reports) {
    const member = r.members[i];
    if (member !== undefined) written.push(reportOf(member, i));
  }
  const firstAt = r.members[0]?.time ?? 0;
  if (!head) return { id: r.id, signature: undefined, firstAt, reports: written };
  const members: StoredMember[] = [];
  const texts: string[] = [];
  const n = Math.min(r.members.length, STORY_REPRESENTATIVES);
  for (let i = 0; i < n; i++) {
    const made = formsOf(r.members[i] as StoryMember);
    members.push(made.stored);
    texts.push(made.json);
  }
  const write: StoryWrite = { id: r.id, signature: { members, breaking: r.breaking }, firstAt, reports: written };
  // The keys of `storyHead` in its order: the text equals JSON.stringify(storyHead(write)).
  // Joined, not appended: `join` makes one flat string, where `+=` builds a tree that every
  // later reader (the byte count, the socket write) flattens again.
  const json = `{"id":${JSON.stringify(r.id)},"signature":{"members":[${texts.join(',')}],"breaking":${JSON.stringify(r.breaking)}},"firstAt":${JSON.stringify(firstAt)}}`;
  Object.defineProperty(write, STORY_JSON, { value: json, enumerable: false });
  return write;
}

/** A story read from the store: its head's members, then its later reports in order. */
const fromStore = (r: StoryRecord): IndexRecord | undefined => {
  const sig = r.signature as { members?: StoredMember[]; breaking?: boolean } | null;
  if (!sig || !Array.isArray(sig.members)) return undefined;
  const members = sig.members.map(memberOf);
  for (const report of r.reports) members.push({ signature: undefined, source: report.outlet.startsWith(NO_OUTLET) ? undefined : report.outlet, time: report.at });
  return { id: r.id, members, breaking: sig.breaking === true };
};

/** A story's named outlets: the first `REPORTED_BY_NAMES` in the order of their first report, and all of them. */
interface Outlets {
  named: string[];
  all: Set<string>;
}

function outletsOf(members: readonly StoryMember[]): Outlets {
  const outlets: Outlets = { named: [], all: new Set() };
  for (const m of members) if (m.source) noteOutlet(outlets, m.source);
  return outlets;
}

function noteOutlet(outlets: Outlets, outlet: string): void {
  if (outlets.all.has(outlet)) return;
  outlets.all.add(outlet);
  if (outlets.named.length < REPORTED_BY_NAMES) outlets.named.push(outlet);
}

/**
 * An index plus the distinct outlets of each of its stories in the order of their first report
 * (so a batch never copies the index per item), and the stories the store still holds whole
 * (written before reports were kept apart: their next write splits them).
 */
interface LoadedIndex {
  index: StoryIndex;
  outlets: Map<string, Outlets>;
  whole: Set<string>;
}

async function loadIndex(store: Store, nowMs: number): Promise<LoadedIndex> {
  const read = await store.recentStories(nowMs - STORY_WINDOW_MS);
  const initial: IndexRecord[] = [];
  const whole = new Set<string>();
  for (const r of read) {
    const record = fromStore(r);
    if (record === undefined) continue;
    initial.push(record);
    if (((r.signature as { members: unknown[] }).members.length) > STORY_REPRESENTATIVES) whole.add(r.id);
  }
  return {
    index: createStoryIndex({ windowMs: STORY_WINDOW_MS, initial }),
    outlets: new Map(initial.map((r) => [r.id, outletsOf(r.members)])),
    whole,
  };
}

/** What a batch changed of one story: its head, and the places of the later reports it wrote. */
interface Touch {
  head: boolean;
  reports: Set<number>;
}

function openBatch(store: Store, loaded: LoadedIndex, nowMs: number): StoryBatch {
  const { index, outlets, whole } = loaded;
  const touched = new Map<string, Touch>();
  const touchedWrites = (): StoryWrite[] => {
    const writes: StoryWrite[] = [];
    for (const r of packed(index.readOf(touched.keys()))) {
      const touch = touched.get(r.id) as Touch;
      if (whole.delete(r.id)) {
        // Split on its first write: the head cut to the representatives, every later member a report.
        const all: number[] = [];
        for (let i = STORY_REPRESENTATIVES; i < r.members.length; i++) all.push(i);
        writes.push(toWrite(r, true, all));
      } else writes.push(toWrite(r, touch.head, touch.reports));
    }
    return writes;
  };
  return {
    assign(item) {
      const assignment = index.assign(item, nowMs);
      let touch = touched.get(assignment.storyId);
      if (touch === undefined) {
        touch = { head: false, reports: new Set() };
        touched.set(assignment.storyId, touch);
      }
      if (assignment.isNew || assignment.becameBreaking || assignment.member < STORY_REPRESENTATIVES) touch.head = true;
      if (assignment.member >= STORY_REPRESENTATIVES) touch.reports.add(assignment.member);
      // Each outlet once, in the order of its first report: a story reported all day stays short.
      let known = assignment.isNew ? undefined : outlets.get(assignment.storyId);
      if (known === undefined) {
        known = { named: [], all: new Set() };
        outlets.set(assignment.storyId, known);
      }
      if (item.source) noteOutlet(known, item.source);
      // A copy: the list grows with the story, the alert keeps what it was given.
      const named = known.named.slice();
      const count = known.all.size;
      return { ...assignment, outlets: named, outletCount: count };
    },
    touched: touchedWrites,
    async commit() {
      for (const write of touchedWrites()) await store.putStory(write, STORY_TTL_MS);
    },
  };
}

/**
 * Opens a batch for one poll on a fresh copy of the index: loads the recent stories once, places
 * items in memory, and writes back only the stories it touched.
 */
export async function openStoryBatch(store: Store, nowMs: number): Promise<StoryBatch> {
  return openBatch(store, await loadIndex(store, nowMs), nowMs);
}

/** A story index shared by the polls of one process. */
export interface StoryTracker {
  /**
   * A batch on the shared index, read from the store only when the copy is older than
   * `STORY_REFRESH_MS` or was invalidated: most polls cost no round trip here.
   */
  open(nowMs: number): Promise<StoryBatch>;
  /** Forgets the copy (a poll placed items that turned out not to be new): the next batch reads the store. */
  invalidate(): void;
}

/**
 * Creates the tracker a pipeline shares between its polls. Polls of this process see each other's
 * stories at once; stories written by another process are seen within `refreshMs` (two processes
 * may each open the same story once in that window, as two polls reading the index at the same
 * instant always could).
 */
export function createStoryTracker(store: Store, options: { refreshMs?: number } = {}): StoryTracker {
  const refreshMs = options.refreshMs ?? STORY_REFRESH_MS;
  let loaded: { at: number; value: Promise<LoadedIndex> } | undefined;
  return {
    async open(nowMs) {
      if (!loaded || nowMs - loaded.at >= refreshMs || nowMs < loaded.at) {
        const value = loadIndex(store, nowMs);
        loaded = { at: nowMs, value };
        // A failed read is not kept: the next poll tries again.
        value.catch(() => {
          if (loaded?.value === value) loaded = undefined;
        });
      }
      return openBatch(store, await loaded.value, nowMs);
    },
    invalidate() {
      loaded = undefined;
    },
  };
}
