/**
 * The reducer against real journal records of a headless run of the default scenario (seed 7), trimmed by
 * dev/trim-fixture.mjs. Expected values were read off the fixture files, not computed by the console.
 */
import { describe, expect, it } from "vitest";
import {
  identityOf,
  initialState,
  interceptorsInFlight,
  nodeIdsSeen,
  pendingProposals,
  reduce,
  reduceAll,
  roleHolder,
  Timeline,
} from "../src/state";
import type { JournalRecord } from "../src/types";

import allText from "./fixtures/default_seed7_all.jsonl?raw";
import northText from "./fixtures/default_seed7_north.jsonl?raw";
import { parseJsonl } from "./jsonl";

const north = parseJsonl(northText);
const all = parseJsonl(allText);
const upTo = (records: JournalRecord[], seq: number) => records.filter((r) => r.seq <= seq);

describe("engagement queue", () => {
  it("holds a proposal until its decision arrives", () => {
    const before = reduceAll(upTo(north, 566));
    expect(pendingProposals(before, "north.ncc").map((p) => p.proposal_id)).toEqual(["P00002"]);
    const p = before.proposals.P00002;
    expect(p).toMatchObject({ battery_id: "north.bty1", track_id: "north.T0018", decider: "north.ncc", nation: "north" });
    expect(p.latest_launch_t_s).toBeCloseTo(834.368733, 6);

    const after = reduceAll(upTo(north, 567));
    expect(after.proposals.P00002).toBeUndefined();
    expect(after.decisions.P00002.decision).toBe("approve");
  });

  it("filters by decider and orders by deadline", () => {
    const s = reduceAll(upTo(north, 580)); // P00004 proposed, not yet decided
    expect(pendingProposals(s, "north.ncc").map((p) => p.proposal_id)).toEqual(["P00004"]);
    expect(pendingProposals(s, "south.ncc")).toEqual([]);
  });

  it("is empty at the end of the exercise", () => {
    const s = reduceAll(north);
    expect(pendingProposals(s)).toEqual([]);
    expect(s.ended).toBe(true);
  });
});

describe("air pictures", () => {
  it("replace the previous picture of the same nation", () => {
    const s180 = reduceAll(north.filter((r) => r.t_s <= 180));
    expect(s180.pictures.north.tracks.map((t) => t.track_id)).toEqual(["north.T0002", "north.T0003"]);
    const s600 = reduceAll(north.filter((r) => r.t_s <= 600));
    expect(s600.pictures.north.t_s).toBe(600);
    expect(s600.pictures.north.tracks.map((t) => t.track_id)).toEqual([
      "north.T0003",
      "north.T0005",
      "north.T0016",
      "north.T0018",
      "north.T0019",
      "north.T0020",
    ]);
  });

  it("keep one picture per nation for the white cell", () => {
    const s = reduceAll(all.filter((r) => r.t_s <= 600));
    expect(Object.keys(s.pictures).sort()).toEqual(["north", "south"]);
  });

  it("raise one alert per new ballistic track", () => {
    const s = reduceAll(north);
    const ballistic = s.alerts.filter((a) => a.kind === "ballistic_track").map((a) => a.id);
    expect(new Set(ballistic).size).toBe(ballistic.length);
    expect(ballistic).toContain("ballistic:north.T0018");
  });
});

describe("reduce", () => {
  it("tracks identities, pending by default", () => {
    expect(identityOf(reduceAll(upTo(north, 287)), "north.T0005")).toBe("pending");
    expect(identityOf(reduceAll(upTo(north, 288)), "north.T0005")).toBe("unknown");
    expect(identityOf(reduceAll(upTo(north, 336)), "north.T0005")).toBe("hostile");
  });

  it("raises one launch alert per launch, not per warning update", () => {
    const s = reduceAll(north);
    const launches = s.alerts.filter((a) => a.kind === "launch");
    // Five launches (t = 60, 420, 425, 430, 435 s) reported by 55 warning updates.
    expect(launches.map((a) => a.id)).toEqual([
      "launch:north:60",
      "launch:north:420",
      "launch:north:425",
      "launch:north:430",
      "launch:north:435",
    ]);
  });

  it("keeps interceptors in flight until the intercept time or the kill assessment", () => {
    const s = reduceAll(upTo(north, 689));
    expect(interceptorsInFlight(s, 731).map((i) => `${i.engagement_id}/${i.shot}`)).toEqual([
      "P00002/1",
      "P00004/1",
      "P00004/2",
      "P00005/1",
    ]);
    expect(interceptorsInFlight(s, 800).map((i) => i.engagement_id)).toEqual(["P00004", "P00004", "P00005"]);
    const assessed = reduceAll(upTo(north, 735));
    expect(assessed.interceptors.some((i) => i.engagement_id === "P00002")).toBe(false);
  });

  it("ignores a record delivered twice and never mutates its input", () => {
    const s = reduceAll(upTo(north, 566));
    const frozen = JSON.stringify(s);
    const rec = north.find((r) => r.seq === 567)!;
    const next = reduce(s, rec);
    expect(JSON.stringify(s)).toBe(frozen);
    expect(reduce(next, rec)).toBe(next);
  });

  it("keeps ground truth and threat classes for the white cell", () => {
    const s = reduceAll(all.filter((r) => r.t_s <= 450));
    expect(s.truth?.t_s).toBe(450);
    expect(s.truth?.threats.map((t) => t.id)).toContain("tbm1");
    expect(s.threatClass).toMatchObject({ tbm0: "ballistic", cm1: "cruise", ac1: "aircraft" });
    expect(reduceAll(north).truth).toBeNull();
  });
});

describe("Timeline (review mode)", () => {
  it("rebuilds the same state at any time as a replay from the start", () => {
    const tl = new Timeline(all, 60);
    for (const t of [0, 59.9, 60, 465, 700.5, 1234, 1800]) {
      const direct = reduceAll(all.filter((r) => r.t_s <= t), initialState());
      expect(tl.at(t)).toEqual(direct);
      expect(tl.until(t).length).toBe(all.filter((r) => r.t_s <= t).length);
    }
  });
});

describe("command roles (role_assigned)", () => {
  // Records as the live server journals them: assign_role orders of the north commander and battery seats
  // (LiveExercise on the default scenario, seed 7, orders at t = 100 s), renumbered after the fixture.
  const at = (seq: number, data: Record<string, unknown>): JournalRecord => ({
    seq,
    kind: "role_assigned",
    t_s: 100,
    visible_to: ["controller", "north"],
    data,
  });
  const base = reduceAll(upTo(north, 60));
  const takeOver = at(10_001, { role: "north.ncc", holder: "human", source: "north.ncc" });
  const battery = at(10_002, { role: "north.bty1", holder: "human", source: "north.bty1" });
  const handBack = at(10_003, { role: "north.ncc", holder: "automated", source: "north.ncc" });

  it("are automated until a seat takes them over", () => {
    expect(roleHolder(base, "north.ncc")).toBe("automated");
    expect(roleHolder(base, null)).toBe("automated");
    expect(base.roles).toEqual({});
  });

  it("follow take-over and hand-back, one holder per role", () => {
    const human = reduceAll([takeOver, battery], base);
    expect(roleHolder(human, "north.ncc")).toBe("human");
    expect(roleHolder(human, "north.bty1")).toBe("human");
    expect(roleHolder(human, "south.ncc")).toBe("automated");
    expect(human.roles["north.ncc"]).toEqual({ holder: "human", source: "north.ncc", t_s: 100 });

    const back = reduce(human, handBack);
    expect(roleHolder(back, "north.ncc")).toBe("automated");
    expect(roleHolder(back, "north.bty1")).toBe("human");
    expect(back.roles["north.ncc"].source).toBe("north.ncc");
    // The earlier state is untouched and a record delivered twice changes nothing.
    expect(roleHolder(human, "north.ncc")).toBe("human");
    expect(reduce(back, handBack)).toBe(back);
  });

  it("survive in review checkpoints", () => {
    const records = [...all.filter((r) => r.t_s <= 100), takeOver].map((r, i) => ({ ...r, seq: i + 1 }));
    const tl = new Timeline(records, 30);
    expect(roleHolder(tl.at(99), "north.ncc")).toBe("automated");
    expect(roleHolder(tl.at(100), "north.ncc")).toBe("human");
  });

  it("name command nodes for the comms-cut suggestions", () => {
    const s = reduceAll([takeOver, battery], reduceAll(upTo(north, 566)));
    expect(nodeIdsSeen(s)).toEqual(["north.bty1", "north.ncc"]);
  });
});
