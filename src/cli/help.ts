/**
 * Usage texts, one per object, printed by `--help` at every level.
 *
 * @module
 */

/** The top-level usage. */
export const MAIN_HELP = `Usage: nlkit [ OPTIONS ] OBJECT { COMMAND | help }
       nlkit [ -force ] -b FILE
where  OBJECT := { address | route | rule | neighbor | link | monitor | netns | nexthop | ct | genl }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | mpls | bridge | link } | -4 | -6 | -M | -B | -0 |
                    -br[ief] | -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] FILE | -force |
                    -n[etns] NAME | -c[olor][={always|auto|never}] | -help }
Objects, commands and options may be abbreviated as in ip: any prefix selects the first
match in ip's order (a = address, r = route, ru = rule, n = neighbor, l = link, link s = set).
Exit codes: 0 success, 1 kernel or runtime error, 2 bad usage`;

/** Usage of each object, by canonical name. */
export const OBJECT_HELP: Record<string, string> = {
  link: `Usage: nlkit link show [ dev NAME ] [ type KIND ] [ up ]
       nlkit link add NAME type veth [ peer name PEER [ netns NS ] ]
       nlkit link add NAME type bridge
       nlkit link add NAME link PARENT type vlan id N
       nlkit link add NAME link PARENT type macvlan mode { private | vepa | bridge | passthru | source }
       nlkit link add NAME type vxlan id N [ local ADDR ] [ remote ADDR | group ADDR ] [ dstport PORT ] [ dev DEV ]
       nlkit link set [ dev ] DEV { up | down | mtu N | name NEW | address MAC | master BR | nomaster |
                                   netns NS | alias TEXT } ...
       nlkit link del [ dev ] DEV`,
  addr: `Usage: nlkit addr show [ dev NAME ] [ scope SCOPE ] [ up ]
       nlkit addr { add | replace } PREFIX dev NAME [ peer PREFIX ] [ broadcast ADDR ] [ label LABEL ]
                  [ scope SCOPE ] [ valid_lft SECS ] [ preferred_lft SECS ] [ metric N ] [ noprefixroute ]
       nlkit addr del PREFIX dev NAME
       nlkit addr flush dev NAME [ scope SCOPE ]`,
  route: `Usage: nlkit route show [ table ID|all ] [ proto P ] [ dev D ] [ type T ] [ scope S ] [ PREFIX ]
       nlkit route flush { table ID|all | proto P | dev D | type T | scope S | PREFIX }...
       nlkit route get ADDR [ from ADDR ] [ iif DEV ] [ oif DEV ]
       nlkit route { add | replace | append | del } [ type T ] PREFIX [ via ADDR ] [ dev D ] [ src ADDR ]
                   [ metric N ] [ table ID ] [ proto P ] [ scope S ] [ onlink ] [ mtu [ lock ] N ]
                   [ advmss [ lock ] N ] [ nexthop via ADDR [ dev D ] [ weight W ] ]...`,
  neigh: `Usage: nlkit neigh show [ dev D ] [ nud STATE ] [ proxy ]
       nlkit neigh { add | replace } ADDR lladdr MAC dev D [ nud STATE ] [ router ] [ proxy ]
       nlkit neigh del ADDR dev D
       nlkit neigh flush dev D`,
  rule: `Usage: nlkit rule show
       nlkit rule { add | del } [ not ] [ from PREFIX ] [ to PREFIX ] [ iif DEV ] [ oif DEV ] [ fwmark MARK[/MASK] ]
                               [ priority N ] [ table ID | goto N ] [ type { unicast | blackhole | unreachable | prohibit } ]`,
  monitor: `Usage: nlkit monitor [ link ] [ addr ] [ route ] [ neigh ] [ rule ] [ ct ]
       With -j each event is one JSON object per line: {"event":"new"|"del", "object":..., ...}`,
  netns: `Usage: nlkit netns list
       nlkit netns add NAME
       nlkit netns del NAME
       nlkit netns exec NAME CMD [ ARGS... ]   (runs nsenter --net=/run/netns/NAME CMD ...)`,
  ct: `Usage: nlkit ct COMMAND [ OPTIONS ]   (conntrack-tools' flags and meanings)
Commands:
  -L, --dump [ TABLE ]       List the table (or TABLE)              word: list, show
                             TABLE := { expect | dying | unconfirmed }
  -G, --get                  Get one entry                          word: get
  -D, --delete               Delete entries                         word: delete, del
  -I, --create               Create an entry                        word: create
  -A, --add                  Create an entry unless it exists       word: add
  -U, --update               Update entries                         word: update
  -E, --event [ expect ]     Show events                            word: event, events
  -F, --flush [ expect ]     Flush the table                        word: flush
  -C, --count                Count entries                          word: count
  -S, --stats                Per-CPU statistics                     word: stats
  --expect                   Work on the expectation table
  -R, --load-file FILE|-     Run the -I/-A/-U/-D/-F lines of FILE (as -o save prints them)
Filters and parameters:
  -s, --orig-src IP   -d, --orig-dst IP   -r, --reply-src IP   -q, --reply-dst IP
  -p, --proto PROTO   -f, --family ipv4|ipv6   --sport, --orig-port-src PORT   --dport, --orig-port-dst PORT
  --reply-port-src PORT   --reply-port-dst PORT   -t, --timeout SECS   -m, --mark MARK[/MASK]
  -u, --status [!]STATUS[,..]|UNREPLIED   -w, --zone ZONE   --orig-zone ZONE   --reply-zone ZONE
  --state STATE   -l, --label L   --label-add L   --label-del [L]   --mask-src MASK   --mask-dst MASK
  -n, --src-nat [IP[:PORT]]   -g, --dst-nat [IP[:PORT]]   -j, --any-nat [IP[:PORT]]   ([V6]:PORT)
  --icmp-type T   --icmp-code C   --icmp-id ID   -z, --zero   -e, --event-mask NEW,UPDATES,DESTROY|ALL
  -o, --output extended,id,timestamp,ktimestamp,labels,xml,save,userspace
  Options a command does not take are refused as conntrack refuses them.
  --helper NAME       helper of a new entry (-I) or expectation; -D expect --helper NAME deletes its expectations
Expectations (-G, -D, -I with "expect"):
  --tuple-src IP --tuple-dst IP [ --tuple-port-src P --tuple-port-dst P ]   the expected tuple
                      (for -G and -D, -s -d --sport --dport name it too, as in conntrack)
  -I expect also: master -s IP -d IP --sport P --dport P (or --master-src, --master-dst,
                      --master-port-src, --master-port-dst), -p PROTO, -t SECS,
                      [ --mask-src IP --mask-dst IP --mask-port-src P --mask-port-dst P ] (default: exact)
Exit codes: 0 ok, 1 error, 2 bad parameters. With nlkit -j, entries are JSON (see README).`,
};
