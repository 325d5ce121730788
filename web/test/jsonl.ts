import type { JournalRecord } from "../src/types";

/** Journal records from JSON Lines text (a journal export). */
export function parseJsonl(text: string): JournalRecord[] {
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as JournalRecord);
}
