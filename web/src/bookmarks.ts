/**
 * Bookmarks of the exercise: the white cell's notes at a scenario time. In review mode the session lists them
 * (`bookmarks` of `GET /api/session`) and the journal holds them as `bookmark` records; the console shows the union.
 */
import type { JournalRecord, SessionBookmark } from "./types";

export interface Bookmark {
  t_s: number;
  note: string;
  /** The seat that made it, when known. */
  seat: string | null;
}

/** Dedupe key: the same time (to the millisecond) and the same note are one bookmark. */
function key(b: { t_s: number; note: string }): string {
  return `${b.t_s.toFixed(3)}\u0000${b.note}`;
}

function fromSession(b: SessionBookmark): Bookmark | null {
  const t = Number(b?.t_s);
  if (!Number.isFinite(t)) return null;
  return { t_s: t, note: String(b.note ?? ""), seat: b.seat ?? null };
}

function fromRecord(r: JournalRecord): Bookmark | null {
  if (r.kind !== "bookmark" || !Number.isFinite(r.t_s)) return null;
  return { t_s: r.t_s, note: String(r.data?.note ?? ""), seat: r.data?.seat ?? null };
}

/**
 * The session's bookmarks and the `bookmark` records in `records`, deduplicated by time and note, oldest first
 * (newest last); equal times keep their order of arrival (session first, then records).
 */
export function mergeBookmarks(session: readonly SessionBookmark[] | null | undefined, records: readonly JournalRecord[]): Bookmark[] {
  const seen = new Set<string>();
  const out: Bookmark[] = [];
  const add = (b: Bookmark | null) => {
    if (!b) return;
    const k = key(b);
    if (seen.has(k)) return;
    seen.add(k);
    out.push(b);
  };
  for (const b of session ?? []) add(fromSession(b));
  for (const r of records) add(fromRecord(r));
  // Array.prototype.sort is stable: ties keep the order above.
  return out.sort((a, b) => a.t_s - b.t_s);
}
