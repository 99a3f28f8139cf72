// humanDuration against apimachinery's HumanDuration: every boundary of every branch, worked out from the Go code.
import { ageText, humanDuration } from "../../src/status/index.js";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe("humanDuration", () => {
  it.each([
    [0, "0s"],
    [999, "0s"],
    [1999, "1s"],
    [45 * S, "45s"],
    [119 * S + 999, "119s"],
    [120 * S, "2m"],
    [125 * S, "2m5s"],
    [9 * M + 59 * S, "9m59s"],
    [10 * M, "10m"],
    [10 * M + 30 * S, "10m"],
    [179 * M + 59 * S, "179m"],
    [180 * M, "3h"],
    [3 * H + 30 * M, "3h30m"],
    [7 * H + 59 * M, "7h59m"],
    [8 * H, "8h"],
    [47 * H + 59 * M, "47h"],
    [48 * H, "2d"],
    [52 * H, "2d4h"],
    [191 * H, "7d23h"],
    [192 * H, "8d"],
    [729 * D + 23 * H, "729d"],
    [730 * D, "2y"],
    [775 * D, "2y45d"],
    [8 * 365 * D - H, "7y364d"],
    [8 * 365 * D, "8y"],
    [3000 * D, "8y"],
    [-500, "0s"],
    [-1999, "0s"],
    [-2000, "<invalid>"],
    [Number.NaN, "<invalid>"],
  ])("%d ms is %s", (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });
});

describe("ageText", () => {
  const now = new Date("2025-03-01T12:00:00Z");
  it.each([
    ["2025-03-01T10:00:00Z", "120m"],
    ["2025-03-01T11:59:15Z", "45s"],
    ["2025-03-01T13:00:00+01:00", "0s"],
    ["2025-02-27T11:00:00Z", "2d1h"],
    ["2025-03-01T12:00:05Z", "<invalid>"],
  ])("from %s is %s", (ts, want) => {
    expect(ageText(ts, now)).toBe(want);
  });

  it.each([[undefined], [null], [""], ["yesterday"], ["0001-01-01T00:00:00Z"], [42]])("is <unknown> for %p", (ts) => {
    expect(ageText(ts, now)).toBe("<unknown>");
  });
});
