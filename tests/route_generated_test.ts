// The generated route parser is fresh, and the generator refuses a shape that leaves an attribute unused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { generateRouteParser, ROUTE_PARSER_PATH } from "../scripts/gen_route.ts";
import { ROUTE_OBJECT, ROUTE_TABLE } from "../src/route/route/table.ts";

test("_generated/parse.ts matches ROUTE_OBJECT (run deno run -A scripts/gen_route.ts)", () => {
  const file = readFileSync(new URL(`../${ROUTE_PARSER_PATH}`, import.meta.url), "utf8");
  assert.equal(file, generateRouteParser());
});

test("the route generator refuses unused attributes, unknown inputs and unknown derive functions", () => {
  const { mark: _, ...noMark } = ROUTE_OBJECT;
  assert.throws(() => generateRouteParser(noMark, ROUTE_TABLE), /leaves attributes unused: mark/);
  assert.throws(() => generateRouteParser({ ...ROUTE_OBJECT, x: { from: ["nosuch"] } }), /no attribute "nosuch"/);
  assert.throws(() => generateRouteParser({ ...ROUTE_OBJECT, x: { from: ["rtm.nosuch"] } }), /no rtmsg field/);
  assert.throws(
    () => generateRouteParser({ ...ROUTE_OBJECT, x: { from: ["mark"], derive: "nosuch" } }),
    /no function "nosuch"/,
  );
  assert.throws(() => generateRouteParser({ ...ROUTE_OBJECT, x: { from: ["mark", "uid"] } }), /need a derive/);
});
