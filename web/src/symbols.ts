/** MIL-STD-2525C symbols (15-character letter SIDCs) drawn by milsymbol, cached per SIDC and label. */
import { letterair, letterequipment, letterground, ms } from "milsymbol-core";
import type { Identity } from "./types";

// Only the letter-SIDC (2525C) icon sets the console draws: air tracks, ground units, ground equipment.
ms.addIcons([letterair, letterground, letterequipment]);

/** Standard identity letter (SIDC position 2) of each track identity. */
export const IDENTITY_LETTER: Record<Identity, string> = {
  pending: "P",
  unknown: "U",
  assumed_friend: "A",
  friend: "F",
  suspect: "S",
  hostile: "H",
};

function sidc(identity: string, dimension: string, fn: string): string {
  // S = warfighting, identity, battle dimension, P = present, function id (6), then 5 unused positions.
  return `S${identity}${dimension}P${fn.padEnd(6, "-")}-----`;
}

/** SIDC of an air track: a ballistic missile (`WMB`) or a generic air track. */
export function trackSidc(identity: Identity, classification: string): string {
  const id = IDENTITY_LETTER[identity] ?? "P";
  return sidc(id, "A", classification === "ballistic" ? "WMB" : "");
}

/** Own air defence battery: ground unit, air defence, missile. */
export function batterySidc(): string {
  return sidc("F", "G", "UCDM");
}

/** Own sensor: ground equipment radar, or a generic sensor for a space-based warning ground station. */
export function sensorSidc(type: string): string {
  return sidc("F", "G", type.startsWith("sbw") ? "ES" : "ESR");
}

/** A ground-truth threat (white cell): hostile ballistic missile, cruise missile, military aircraft or air track. */
export function truthSidc(threatClass: string | undefined): string {
  const fn = { ballistic: "WMB", cruise: "WMCM", aircraft: "MF" }[threatClass ?? ""] ?? "";
  return sidc("H", "A", fn);
}

export interface SymbolGraphic {
  svg: string;
  anchor: { x: number; y: number };
  width: number;
  height: number;
}

const cache = new Map<string, SymbolGraphic>();

/**
 * The symbol as an SVG string with its anchor (the point placed on the map), cached. `direction_deg` (clockwise
 * from north) adds the direction-of-movement leader.
 */
export function symbolGraphic(code: string, label = "", size = 22, direction_deg?: number): SymbolGraphic {
  const key = `${code}|${label}|${size}|${direction_deg ?? ""}`;
  let g = cache.get(key);
  if (!g) {
    // Light text with a dark halo: labels stay readable on the dark map.
    const opts: Record<string, unknown> = {
      size,
      uniqueDesignation: label,
      infoSize: 50,
      infoColor: "#e8eef5",
      infoOutlineColor: "#0b1826",
      infoOutlineWidth: 3,
    };
    if (direction_deg !== undefined) opts.direction = direction_deg;
    const sym = new ms.Symbol(code, opts);
    const { width, height } = sym.getSize();
    g = { svg: sym.asSVG(), anchor: sym.getAnchor(), width, height };
    cache.set(key, g);
  }
  return g;
}
