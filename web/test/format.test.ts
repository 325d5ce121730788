import { describe, expect, it } from "vitest";
import { describe as describeRecord, fmtCountdown, fmtScenarioTime, fmtUtc } from "../src/format";
import { destination, distanceM, ellipsePolygon, headingFromEcefVelocity } from "../src/geo";
import { trackSidc } from "../src/symbols";
import allText from "./fixtures/default_seed7_all.jsonl?raw";
import { parseJsonl } from "./jsonl";

describe("time formats", () => {
  it("formats scenario time, UTC from the epoch and countdowns", () => {
    expect(fmtScenarioTime(0)).toBe("T+00:00:00");
    expect(fmtScenarioTime(3725.9)).toBe("T+01:02:05");
    expect(fmtUtc("2026-05-04T06:00:00Z", 450)).toBe("06:07:30Z");
    expect(fmtUtc("2026-05-04T23:59:00Z", 120)).toBe("00:01:00Z");
    expect(fmtCountdown(125.7)).toBe("2:05");
    expect(fmtCountdown(-3)).toBe("-0:03");
  });
});

describe("event log lines", () => {
  const records = parseJsonl(allText);

  it("has a readable line for every kind in the fixture (no JSON fallback)", () => {
    for (const r of records) {
      const line = describeRecord(r);
      expect(line.length).toBeGreaterThan(0);
      expect(line).not.toMatch(/^\w+: \{/);
    }
  });

  it("describes role take-over and hand-back", () => {
    const rec = (holder: string) => ({ seq: 1, kind: "role_assigned", t_s: 100, visible_to: ["north"], data: { role: "north.ncc", holder, source: "north.ncc" } });
    expect(describeRecord(rec("human"))).toBe("north.ncc taken over by a human seat (north.ncc)");
    expect(describeRecord(rec("automated"))).toBe("north.ncc handed back to its automated commander (by north.ncc)");
  });

  it("names the decision", () => {
    const decided = records.find((r) => r.kind === "engagement_decided")!;
    expect(describeRecord(decided)).toMatch(/^Proposal P\d+ (APPROVED|DENIED) by /);
  });
});

describe("geometry", () => {
  it("destination and distance agree (one degree of latitude is ~111.2 km)", () => {
    const [lon, lat] = destination(-41, 174.8, 0, 111_195);
    expect(lat).toBeCloseTo(-40, 3);
    expect(lon).toBeCloseTo(174.8, 6);
    const [lon2, lat2] = destination(-44, 179.5, 90, 200_000);
    expect(lon2).toBeLessThan(-177); // across the antimeridian, wrapped
    expect(distanceM(-44, 179.5, lat2, lon2)).toBeCloseTo(200_000, -1);
  });

  it("an ellipse's vertices lie at the semi-axes along its orientation", () => {
    const ring = ellipsePolygon(-43.6, 178.6, 70_000, 30_000, 90, 4).coordinates[0];
    expect(distanceM(-43.6, 178.6, ring[0][1], ring[0][0])).toBeCloseTo(70_000, -1); // east (major)
    expect(ring[0][0]).toBeGreaterThan(178.6);
    expect(distanceM(-43.6, 178.6, ring[1][1], ring[1][0])).toBeCloseTo(30_000, -1); // south (minor)
    expect(ring[1][1]).toBeLessThan(-43.6);
  });

  it("heading from an ECEF velocity", () => {
    // At (0, 0) ECEF +y is east and +z is north.
    expect(headingFromEcefVelocity(0, 0, [0, 1, 0])).toBeCloseTo(90, 9);
    expect(headingFromEcefVelocity(0, 0, [0, 0, 1])).toBeCloseTo(0, 9);
    // At lon 90° E, ECEF -x is east.
    expect(headingFromEcefVelocity(0, 90, [-1, 0, 0])).toBeCloseTo(90, 9);
  });
});

describe("symbols", () => {
  it("puts the standard identity in SIDC position 2 and a ballistic missile function for ballistic tracks", () => {
    expect(trackSidc("hostile", "ballistic")).toBe("SHAPWMB--------");
    expect(trackSidc("pending", "unknown")).toBe("SPAP-----------");
    expect(trackSidc("assumed_friend", "air-breathing")).toBe("SAAP-----------");
    expect(trackSidc("suspect", "ballistic")[1]).toBe("S");
  });
});
