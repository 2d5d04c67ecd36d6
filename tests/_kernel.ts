/**
 * What the running kernel can do, for the integration tests that need a
 * feature some kernels leave out: each is `false` when it is there, else
 * the one-line reason the tests skip with. Probed once per process, from
 * `/proc` or in a throwaway namespace (the host's network is untouched).
 *
 * @module
 */

import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { IS_ROOT, NEEDS_ROOT, uniqueName } from "./_helpers.ts";

/** IPv6 multicast routing (CONFIG_IPV6_MROUTE); without it netconf has no mc_forwarding for inet6. */
export const HAS_MROUTE6: boolean = existsSync("/proc/net/ip6_mr_vif");

/** IPv4 and IPv6 multicast routing (CONFIG_IP_MROUTE, CONFIG_IPV6_MROUTE): their /proc tables exist. */
export const NEEDS_MROUTE: false | string = NEEDS_ROOT ||
  (!existsSync("/proc/net/ip_mr_vif")
    ? "this kernel has no IPv4 multicast routing (CONFIG_IP_MROUTE)"
    : !HAS_MROUTE6
    ? "this kernel has no IPv6 multicast routing (CONFIG_IPV6_MROUTE)"
    : false);

/** Runs shell `script` with `$NS` a fresh namespace, deleted afterwards; true when it succeeds. */
function probe(script: string): boolean {
  if (!IS_ROOT) return false;
  const ns = uniqueName();
  const r = spawnSync("sh", ["-c", `ip netns add ${ns} && NS=${ns}; ${script}; rc=$?; ip netns del ${ns}; exit $rc`], {
    stdio: "ignore",
  });
  return r.status === 0;
}

/** SRv6 route encapsulation (CONFIG_IPV6_SEG6_LWTUNNEL): `ip` itself can add a seg6 route. */
export const NEEDS_SEG6: false | string = NEEDS_ROOT || (probe(
    'ip -n "$NS" link add v0 type veth peer name v1 && ip -n "$NS" link set v0 up && ' +
      'ip -n "$NS" -6 route add 2001:db8:70::/64 encap seg6 mode encap segs 2001:db8::10 dev v0',
  )
  ? false
  : "this kernel has no SRv6 encapsulation (CONFIG_IPV6_SEG6_LWTUNNEL)");
