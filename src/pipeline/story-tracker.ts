// The cross-source story index, backed by the store: items from different outlets about the same
// event get one story id, so the first report alerts and later ones update it.
import { createStoryIndex, type StoryAssignment, type StoryIndex, type StoryIndexItem, type StoryMember, type StoryRecord as IndexRecord, type StorySignature } from '../relevance/stories.js';
import { STORY_JSON, type Store, type StoryRecord } from '../store/store.js';
import { packed } from '../packed.js';

/** Stories are compared within this window (the 48 h), in ms. */
export const STORY_WINDOW_MS = 48 * 3_600_000;
/** How long a story record outlives its last report in the store, in ms. */
export const STORY_TTL_MS = STORY_WINDOW_MS + 3_600_000;
/** How long a tracker trusts its copy of the index before reading the store again, in ms. */
export const STORY_REFRESH_MS = 60_000;

export interface StoryBatch {
  /** Places one item; `outlet` is the publisher or the source's name. */
  assign(item: StoryIndexItem): StoryAssignment & { outlets: string[] };
  /** The stories this batch created or extended, as the store keeps them (what `commit` writes). */
  touched(): StoryRecord[];
  /** Writes the stories this batch created or extended. */
  commit(): Promise<void>;
}

/**
 * A member as the store keeps it: its signature's content words joined by spaces (folded words
 * never hold one). Serialising a story writes one string per representative instead of one per
 * word, and a touched story is written at every poll that reports it again.
 */
type StoredMember = Omit<StoryMember, 'signature'> & { signature?: (Omit<StorySignature, 'tokens'> & { tokens: string | string[] }) | undefined };

/**
 * What the store is given of each member, made once (members are never changed: a later report of
 * an outlet replaces its member, and a story read by many outlets is written again at each of their
 * reports): its stored form and its report, with their JSON texts (see `STORY_JSON`).
 */
interface StoredForms {
  stored: StoredMember;
  json: string;
  report: StoryRecord['reports'][number];
  reportJson: string;
}
const forms = new WeakMap<StoryMember, StoredForms>();

function formsOf(member: StoryMember): StoredForms {
  let made = forms.get(member);
  if (made === undefined) {
    const sig = member.signature;
    const stored: StoredMember = sig === undefined ? member : { ...member, signature: { ...sig, tokens: sig.tokens.join(' ') } };
    const report = { outlet: member.source ?? '', at: member.time };
    made = { stored, json: JSON.stringify(stored), report, reportJson: JSON.stringify(report) };
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

/** A story as the store keeps it, carrying its JSON text, built from its members' texts. */
function toStore(r: IndexRecord): StoryRecord {
  const members: StoredMember[] = [];
  const reports: StoryRecord['reports'] = [];
  const memberTexts: string[] = [];
  const reportTexts: string[] = [];
  for (const member of r.members) {
    const made = formsOf(member);
    members.push(made.stored);
    reports.push(made.report);
    memberTexts.push(made.json);
    reportTexts.push(made.reportJson);
  }
  const record: StoryRecord = {
    id: r.id,
    signature: { members, breaking: r.breaking },
    firstAt: r.members[0]?.time ?? 0,
    reports,
  };
  // The same keys in the same order as the literal above: the text equals JSON.stringify(record).
  // Joined, not appended: `join` makes one flat string, where `+=` builds a tree that every
  // later reader (the byte count, the socket write) flattens again.
  const json = `{"id":${JSON.stringify(record.id)},"signature":{"members":[${memberTexts.join(',')}],"breaking":${JSON.stringify(r.breaking)}},"firstAt":${JSON.stringify(record.firstAt)},"reports":[${reportTexts.join(',')}]}`;
  Object.defineProperty(record, STORY_JSON, { value: json, enumerable: false });
  return record;
}

const fromStore = (r: StoryRecord): IndexRecord | undefined => {
  const sig = r.signature as { members?: StoredMember[]; breaking?: boolean } | null;
  return sig && Array.isArray(sig.members) ? { id: r.id, members: sig.members.map(memberOf), breaking: sig.breaking === true } : undefined;
};

/** An index plus the distinct outlets of each of its stories in the order of their first report (so a batch never copies the index per item). */
interface LoadedIndex {
  index: StoryIndex;
  outlets: Map<string, Array<string | undefined>>;
}

async function loadIndex(store: Store, nowMs: number): Promise<LoadedIndex> {
  const initial = (await store.recentStories(nowMs - STORY_WINDOW_MS)).flatMap((r) => fromStore(r) ?? []);
  return {
    index: createStoryIndex({ windowMs: STORY_WINDOW_MS, initial }),
    outlets: new Map(initial.map((r) => [r.id, [...new Set(r.members.map((m) => m.source))]])),
  };
}

function openBatch(store: Store, loaded: LoadedIndex, nowMs: number): StoryBatch {
  const { index, outlets } = loaded;
  const touched = new Set<string>();
  const touchedRecords = (): StoryRecord[] => packed(index.snapshotOf(touched)).map(toStore);
  return {
    assign(item) {
      const assignment = index.assign(item, nowMs);
      touched.add(assignment.storyId);
      // Each outlet once, in the order of its first report: a story reported all day stays short.
      const sources = assignment.isNew ? [] : (outlets.get(assignment.storyId) ?? []);
      if (!sources.includes(item.source)) sources.push(item.source);
      outlets.set(assignment.storyId, sources);
      return { ...assignment, outlets: sources.filter((s): s is string => Boolean(s)) };
    },
    touched: touchedRecords,
    async commit() {
      for (const record of touchedRecords()) await store.putStory(record, STORY_TTL_MS);
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
