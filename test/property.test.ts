// The shared fast-check runner: a fixed seed unless FC_SEED says otherwise, and the seed named on failure.
import fc from "fast-check";
import { assertProperty, DEFAULT_SEED, propertySeed } from "./property.js";

test("propertySeed: the fixed default, an integer from FC_SEED, `random`, or a clear error", () => {
  expect(propertySeed({})).toBe(DEFAULT_SEED);
  expect(propertySeed({ FC_SEED: " 42 " })).toBe(42);
  expect(Number.isInteger(propertySeed({ FC_SEED: "random" }))).toBe(true);
  expect(() => propertySeed({ FC_SEED: "abc" })).toThrow(/FC_SEED must be an integer/);
});

function failure(run: () => void): string {
  try {
    run();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("the property did not fail");
}

test("a failing property names its seed, and the same seed finds the same counterexample", () => {
  const prop = (): fc.IProperty<[number]> => fc.property(fc.integer({ min: 0, max: 1_000_000 }), (n) => n % 97 !== 13);
  const first = failure(() => assertProperty(prop()));
  expect(first).toContain(`seed ${DEFAULT_SEED}; replay with FC_SEED=${DEFAULT_SEED}`);
  const counterexample = /Counterexample: (.*)/.exec(first)?.[1];
  expect(counterexample).toBeDefined();
  expect(failure(() => assertProperty(prop()))).toContain(`Counterexample: ${counterexample}`);
});

test("async properties are awaited and name their seed too", async () => {
  await expect(assertProperty(fc.asyncProperty(fc.nat(), async (n) => n >= 0))).resolves.toBeUndefined();
  await expect(assertProperty(fc.asyncProperty(fc.nat(), async (n) => n < 5))).rejects.toThrow(/replay with FC_SEED=/);
});
