// The cross-source story index, backed by the store: items from different outlets about the same
// event get one story id, so the first report alerts and later ones update it.
import { createStoryIndex, type StoryAssignment, type StoryIndexItem, type StoryRecord as IndexRecord } from '../relevance/stories.js';
import type { Store, StoryRecord } from '../store/store.js';

/** Stories are compared within this window (the 48 h), in ms. */
export const STORY_WINDOW_MS = 48 * 3_600_000;
/** How long a story record outlives its last report in the store, in ms. */
const STORY_TTL_MS = STORY_WINDOW_MS + 3_600_000;

export interface StoryBatch {
  /** Places one item; `outlet` is the publisher or the source's name. */
  assign(item: StoryIndexItem): StoryAssignment & { outlets: string[] };
  /** Writes the stories this batch created or extended. */
  commit(): Promise<void>;
}

const toStore = (r: IndexRecord): StoryRecord => ({
  id: r.id,
  signature: { members: r.members, breaking: r.breaking },
  firstAt: r.members[0]?.time ?? 0,
  reports: r.members.map((m) => ({ outlet: m.source ?? '', at: m.time })),
});

const fromStore = (r: StoryRecord): IndexRecord | undefined => {
  const sig = r.signature as { members?: IndexRecord['members']; breaking?: boolean } | null;
  return sig && Array.isArray(sig.members) ? { id: r.id, members: sig.members, breaking: sig.breaking === true } : undefined;
};

/**
 * Opens a batch for one poll: loads the recent stories once, places items in memory, and writes
 * back only the stories it touched. Two sources polled at the same instant may each open the
 * same story once (the index is read before either writes); later reports join the first.
 */
export async function openStoryBatch(store: Store, nowMs: number): Promise<StoryBatch> {
  const initial = (await store.recentStories(nowMs - STORY_WINDOW_MS)).flatMap((r) => fromStore(r) ?? []);
  const index = createStoryIndex({ windowMs: STORY_WINDOW_MS, initial });
  const touched = new Set<string>();
  return {
    assign(item) {
      const assignment = index.assign(item, nowMs);
      touched.add(assignment.storyId);
      const story = index.snapshot().find((s) => s.id === assignment.storyId);
      const outlets = [...new Set((story?.members ?? []).map((m) => m.source).filter((s): s is string => Boolean(s)))];
      return { ...assignment, outlets };
    },
    async commit() {
      if (touched.size === 0) return;
      for (const record of index.snapshot()) {
        if (touched.has(record.id)) await store.putStory(toStore(record), STORY_TTL_MS);
      }
    },
  };
}
