// Makes the small test fixtures from full journal exports (JSON Lines): every record except the frequent air
// pictures and truth snapshots, of which only those at multiples of `every_s` are kept.
// Usage: node dev/trim-fixture.mjs IN.jsonl OUT.jsonl [every_s]
import { readFileSync, writeFileSync } from "node:fs";

const [input, output, every = "30"] = process.argv.slice(2);
const everyS = Number(every);
const kept = readFileSync(input, "utf8")
  .split("\n")
  .filter((line) => line.trim())
  .filter((line) => {
    const r = JSON.parse(line);
    if (r.kind !== "air_picture" && r.kind !== "truth_snapshot") return true;
    return Math.abs(r.t_s / everyS - Math.round(r.t_s / everyS)) < 1e-9;
  });
writeFileSync(output, kept.join("\n") + "\n");
console.log(`${output}: ${kept.length} records`);
