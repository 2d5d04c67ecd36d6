/**
 * Typed errors through the public entry point: not found, invalid argument,
 * permission and kernel refusal, each with its class, `code` and operation,
 * against the real kernel; and the CLI's exit codes by class. Deno's own
 * permissions are in `permissions_test.ts`.
 */

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import {
  addNexthop,
  createLink,
  createTable,
  deleteLink,
  deleteNexthop,
  deleteTable,
  getLink,
  getNexthop,
  getQdisc,
  InvalidArgumentError,
  listLinks,
  MalformedError,
  NetlinkError,
  NlkitError,
  NotFoundError,
  PermissionError,
  TruncatedError,
} from "../mod.ts";
import { readMessage } from "../src/wire/mod.ts";
import { refusal } from "../src/errors.ts";
import { nlkit, ROOT } from "./_cli.ts";
import { have, ip, NEEDS_ROOT, uniqueName, withTempNetns } from "./_helpers.ts";

const IS_DENO = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

/** Asserts `e` is a `NotFoundError` (so a `NetlinkError` too) with `code` and `operation`. */
function isNotFound(code: string, operation: string | RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof NotFoundError, `expected NotFoundError, got ${e}`);
    assert.ok(e instanceof NetlinkError && e instanceof NlkitError);
    assert.equal(e.code, code);
    assert.match(e.operation, operation instanceof RegExp ? operation : new RegExp(`^${operation}$`));
    return true;
  };
}

test("missing link: NotFoundError ENODEV with kind and key, by name and by index", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (netns) => {
    await assert.rejects(getLink("nope0", { netns }), (e) => {
      isNotFound("ENODEV", "RTM_GETLINK")(e);
      const n = e as NotFoundError;
      assert.deepEqual([n.kind, n.key, n.errno], ["link", "nope0", 19]);
      return true;
    });
    await assert.rejects(getLink(999, { netns }), isNotFound("ENODEV", "RTM_GETLINK"));
    // A kernel refusal by errno: the class comes from the code, the operation from the request.
    await assert.rejects(deleteLink(999, { netns }), (e) => {
      isNotFound("ENODEV", "RTM_DELLINK")(e);
      assert.equal((e as NotFoundError).requestType, 17); // RTM_DELLINK went out
      return true;
    });
  });
});

test("missing namespace: NotFoundError ENOENT naming it", async () => {
  const name = uniqueName("nons");
  await assert.rejects(listLinks({}, { netns: name }), (e) => {
    isNotFound("ENOENT", "open network namespace")(e);
    const n = e as NotFoundError;
    assert.deepEqual([n.kind, n.key], ["network namespace", name]);
    assert.match(n.message, new RegExp(name));
    return true;
  });
});

test("missing nft table, nexthop and qdisc: NotFoundError ENOENT from the kernel", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (netns) => {
    await assert.rejects(deleteTable({ family: "inet", name: "nosuch" }, { netns }), isNotFound("ENOENT", /DELTABLE/));
    await assert.rejects(getNexthop(4242, { netns }), isNotFound("ENOENT", "RTM_GETNEXTHOP"));
    await assert.rejects(deleteNexthop(4242, { netns }), isNotFound("ENOENT", "RTM_DELNEXTHOP"));
    await assert.rejects(getQdisc("lo", "1:", { netns }), (e) => {
      isNotFound("ENOENT", "RTM_GETQDISC")(e);
      assert.deepEqual([(e as NotFoundError).kind, (e as NotFoundError).key], ["tc qdisc", "1:"]);
      return true;
    });
    // The same calls succeed once the objects exist, so the errors above are about existence.
    await createTable({ family: "inet", name: "nosuch" }, { netns });
    await deleteTable({ family: "inet", name: "nosuch" }, { netns });
    await addNexthop({ id: 4242, blackhole: true }, { netns });
    assert.equal((await getNexthop(4242, { netns })).id, 4242);
  });
});

test("kernel refusal: EEXIST is a NetlinkError with the operation, not a not-found", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns(async (netns) => {
    await createLink({ name: "b0", kind: "bridge" }, { netns });
    await assert.rejects(createLink({ name: "b0", kind: "bridge" }, { netns }), (e) => {
      assert.ok(e instanceof NetlinkError && !(e instanceof NotFoundError) && !(e instanceof PermissionError));
      assert.deepEqual([e.code, e.errno, e.operation, e.requestType], ["EEXIST", 17, "RTM_NEWLINK", 16]);
      assert.match(e.message, /^RTM_NEWLINK failed: .*\(EEXIST\)$/);
      return true;
    });
  });
});

test("invalid argument: InvalidArgumentError EINVAL naming the value, before anything is sent", {
  skip: NEEDS_ROOT,
}, async () => {
  await withTempNetns(async (netns) => {
    await assert.rejects(createLink({ name: "b0", kind: "bridge", mtu: 70000 }, { netns }), (e) => {
      assert.ok(e instanceof InvalidArgumentError && e instanceof TypeError);
      assert.equal(e.code, "EINVAL");
      assert.equal(e.argument, "70000");
      assert.match(e.message, /70000/);
      return true;
    });
    assert.doesNotMatch(ip(netns, "-o", "link", "show"), /b0/, "nothing was created");
    await assert.rejects(getLink(0, { netns }), { name: "InvalidArgumentError", code: "EINVAL" });
  });
});

test("codec faults carry code EBADMSG", () => {
  const bytes = new Uint8Array([40, 0, 0, 0, 16, 0, 0, 0]);
  assert.throws(() => readMessage(bytes, new DataView(bytes.buffer), 0, bytes.length), (e) => {
    assert.ok(e instanceof TruncatedError || e instanceof MalformedError);
    assert.equal((e as TruncatedError).code, "EBADMSG");
    return true;
  });
});

/** Runs a script with the current runtime (Deno with `--allow-ffi` only), as given by `wrap`. */
function runScript(source: string, wrap: (argv: string[]) => [string, string[]]): { code: number | null; out: string } {
  const dir = mkdtempSync(`${tmpdir()}/nlkit-errors-`);
  try {
    const file = `${dir}/script.ts`;
    writeFileSync(file, source.replaceAll("@MOD@", `${ROOT}mod.ts`));
    spawnSync("chmod", ["-R", "a+rX", dir]);
    const argv = IS_DENO ? [process.execPath, "run", "--allow-ffi", file] : [process.execPath, "run", file];
    const [cmd, args] = wrap(argv);
    const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, HOME: dir, DENO_DIR: `${dir}/deno` } });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ADD_LINK = `
import { createLink, PermissionError } from "@MOD@";
try {
  await createLink({ name: "b0", kind: "bridge" });
  console.log("created");
} catch (e) {
  const p = e instanceof PermissionError;
  console.log(JSON.stringify({ p, code: e.code, permission: e.permission, operation: e.operation, message: e.message }));
}
`;

/** The unprivileged user the permission test runs as, and what it needs: the sources and the runtime. */
const NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"];
const nobodyCannot = NEEDS_ROOT || (!have("setpriv") && "needs setpriv (util-linux)") ||
  (spawnSync("setpriv", [...NOBODY, "test", "-r", `${ROOT}mod.ts`, "-a", "-x", process.execPath]).status !== 0 &&
    "uid 65534 cannot read the sources or run the runtime");

test("permission: a change without CAP_NET_ADMIN is a PermissionError EPERM naming the capability", {
  skip: nobodyCannot,
}, async () => {
  await withTempNetns((ns) => {
    const r = runScript(ADD_LINK, (argv) => ["ip", ["netns", "exec", ns, "setpriv", ...NOBODY, ...argv]]);
    assert.equal(r.code, 0, r.out);
    const line = r.out.trim().split("\n").at(-1)!;
    assert.deepEqual(JSON.parse(line), {
      p: true,
      code: "EPERM",
      permission: "CAP_NET_ADMIN",
      operation: "RTM_NEWLINK",
      message: "RTM_NEWLINK failed: Operation not permitted (EPERM): needs root or CAP_NET_ADMIN",
    });
    assert.doesNotMatch(ip(ns, "-o", "link", "show"), /b0/, "nothing changed");
  });
});

test("CLI exit codes by class: not found and refusals 1 (ip's words), bad words 2", { skip: NEEDS_ROOT }, async () => {
  await withTempNetns((ns) => {
    const missing = nlkit(["-n", ns, "link", "del", "nope0"]);
    assert.deepEqual([missing.code, missing.stderr], [1, 'Cannot find device "nope0"\n']);
    const listing = nlkit(["-n", ns, "link", "show", "nope0"]);
    assert.deepEqual([listing.code, listing.stderr], [1, 'Device "nope0" does not exist.\n']);
    assert.equal(nlkit(["-n", ns, "link", "add", "b0", "type", "bridge"]).code, 0);
    const exists = nlkit(["-n", ns, "link", "add", "b0", "type", "bridge"]);
    assert.deepEqual([exists.code, exists.stderr], [1, "RTNETLINK answers: File exists\n"]);
    // The library's InvalidArgumentError (MTU out of range) is a usage error.
    const bad = nlkit(["-n", ns, "link", "set", "b0", "mtu", "70000"]);
    assert.equal(bad.code, 2, bad.stderr);
    const nons = nlkit(["-n", uniqueName("nons"), "link", "show"]);
    assert.equal(nons.code, 1, nons.stderr);
  });
});

test("kernel refusals get their class from the errno; EPERM hints stay honest", () => {
  const classOf = (errno: number) => refusal(errno, {}, 16, "RTM_NEWLINK").name;
  assert.deepEqual([2, 3, 6, 19].map(classOf), Array(4).fill("NotFoundError"));
  assert.deepEqual([1, 13].map(classOf), ["PermissionError", "PermissionError"]);
  assert.deepEqual([17, 22, 16].map(classOf), ["NetlinkError", "NetlinkError", "NetlinkError"]);
  const ext = { message: "Unknown device type" };
  assert.equal(refusal(95, ext, 16, "RTM_NEWLINK").message, "RTM_NEWLINK failed: Unknown device type (EOPNOTSUPP)");
  // NFQUEUE/NFLOG refuse a queue bound by another socket with EPERM too: the hint says both.
  const bind = refusal(1, {}, 0x302, "NFQNL_MSG_CONFIG");
  assert.ok(bind instanceof PermissionError);
  assert.equal(
    bind.message,
    "NFQNL_MSG_CONFIG failed: Operation not permitted (EPERM): needs root or CAP_NET_ADMIN, or another socket has bound this queue or group",
  );
});
