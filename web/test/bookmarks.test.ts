import { describe, expect, it } from "vitest";
import { mergeBookmarks } from "../src/bookmarks";
import { fmtScenarioTime } from "../src/format";
import { upperBound } from "../src/panels";
import type { JournalRecord } from "../src/types";

let seq = 0;
const rec = (kind: string, t_s: number, data: Record<string, unknown> = {}): JournalRecord => ({
  seq: ++seq,
  kind,
  t_s,
  visible_to: ["controller"],
  data,
});

describe("mergeBookmarks", () => {
  it("merges session bookmarks with bookmark records, oldest first, deduplicated by time and note", () => {
    // As `GET /api/session` of `amdx replay` lists them: the record's t_s and its data.
    const session = [
      { t_s: 845.25, seat: "white", note: "second salvo" },
      { t_s: 123.4, seat: "white", note: "first launch" },
    ];
    const records = [
      rec("exercise_started", 0),
      rec("bookmark", 123.4, { seat: "white", note: "first launch" }), // same as the session's
      rec("air_picture", 200, { nation: "north", tracks: [] }),
      rec("bookmark", 300, { seat: "white", note: "comms cut" }),
      rec("bookmark", 845.25, { seat: "white", note: "a different note" }), // same time, other note: kept
      rec("bookmark", 300, { seat: "white", note: "comms cut" }), // delivered twice
    ];
    const merged = mergeBookmarks(session, records);
    expect(merged.map((b) => [b.t_s, b.note])).toEqual([
      [123.4, "first launch"],
      [300, "comms cut"],
      [845.25, "second salvo"],
      [845.25, "a different note"],
    ]);
    expect(merged[0].seat).toBe("white");
    expect(merged.map((b) => fmtScenarioTime(b.t_s))).toEqual(["T+00:02:03", "T+00:05:00", "T+00:14:05", "T+00:14:05"]);
  });

  it("works with only one source, or neither", () => {
    expect(mergeBookmarks(undefined, [])).toEqual([]);
    expect(mergeBookmarks(null, [rec("bookmark", 5, { note: "x" })])).toEqual([{ t_s: 5, note: "x", seat: null }]);
    expect(mergeBookmarks([{ t_s: 7, note: "y", seat: "white" }], [rec("kill_assessed", 9)])).toEqual([
      { t_s: 7, note: "y", seat: "white" },
    ]);
  });

  it("treats times equal to the millisecond as the same bookmark and skips entries without a time", () => {
    const merged = mergeBookmarks(
      [{ t_s: 60.0000001, note: "n" }, { t_s: Number.NaN, note: "bad" }],
      [rec("bookmark", 60, { note: "n" }), rec("bookmark", 60, { note: "" })],
    );
    // The session's copy (t 60.0000001) is kept; the record's empty note at t 60 sorts before it.
    expect(merged.map((b) => [b.t_s, b.note])).toEqual([
      [60, ""],
      [60.0000001, "n"],
    ]);
  });

  it("does not modify its inputs", () => {
    const session = [{ t_s: 20, note: "b" }, { t_s: 10, note: "a" }];
    const copy = structuredClone(session);
    mergeBookmarks(session, []);
    expect(session).toEqual(copy);
  });
});

describe("current bookmark", () => {
  it("is the last one at or before the review time", () => {
    const list = mergeBookmarks([{ t_s: 10, note: "a" }, { t_s: 20, note: "b" }], []);
    expect(upperBound(list, 5) - 1).toBe(-1);
    expect(upperBound(list, 10) - 1).toBe(0);
    expect(upperBound(list, 19.9) - 1).toBe(0);
    expect(upperBound(list, 25) - 1).toBe(1);
  });
});
