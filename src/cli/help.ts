/**
 * Usage texts, one per object, printed by `--help` at every level.
 *
 * @module
 */

import { kindHelp } from "./link_kind_words.ts";

/** The top-level usage. */
export const MAIN_HELP = `Usage: nlkit [ OPTIONS ] OBJECT { COMMAND | help }
       nlkit [ -force ] -b FILE
where  OBJECT := { address | route | rule | neighbor | ntable | link | maddress | tuntap | monitor | mroute | netns | netconf | nexthop | token | ct | genl | nft | tc | queue | log }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | mpls | bridge | link } | -4 | -6 | -M | -B | -0 |
                    -br[ief] | -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] FILE | -force |
                    -n[etns] NAME | -c[olor][={always|auto|never}] | -help }
Objects, commands and options may be abbreviated as in ip: any prefix selects the first
match in ip's order (a = address, r = route, ru = rule, n = neighbor, l = link, link s = set).
Exit codes: 0 success, 1 kernel or runtime error, 2 bad usage`;

/** Usage of each object, by canonical name. */
export const OBJECT_HELP: Record<string, string> = {
  link: `Usage: nlkit link show [ dev NAME ] [ type KIND | type KIND_slave ] [ up ] [ master DEV ] [ group G ]
       nlkit link add [ name | dev ] NAME [ LINK_SETTINGS ] [ link PARENT ] [ index N ] [ numtxqueues N ]
                  [ numrxqueues N ] type KIND [ KIND_WORDS ]
       nlkit link set [ dev ] DEV [ LINK_SETTINGS ] [ name NEW ] [ type PORT_WORDS ]
       nlkit link del [ dev ] DEV
LINK_SETTINGS := { up | down | mtu N | address MAC | broadcast MAC | txqueuelen N | master DEV | nomaster |
                   netns NS | alias TEXT | group G | promisc on|off | arp on|off | multicast on|off |
                   allmulticast on|off | gso_max_size N | gso_max_segs N | gro_max_size N } ...
${kindHelp()}
tun/tap devices: see nlkit tuntap help`,
  tuntap: `Usage: nlkit tuntap { add | del | show | list } [ dev NAME ] [ mode { tun | tap } ]
       [ user USER ] [ group GROUP ] [ one_queue ] [ pi ] [ vnet_hdr ] [ multi_queue ] [ name NAME ]`,
  maddress: `Usage: nlkit maddress [ show | list ] [ [ dev ] NAME ]   (-4, -6, -0 pick one family)
       nlkit maddress { add | del } [ address ] LLADDR dev NAME`,
  addr: `Usage: nlkit addr show [ dev NAME ] [ to PREFIX ] [ scope SCOPE ] [ up ] [ label PATTERN ] [ master DEV ]
                  [ type KIND ] [ group G ] [ nomaster ] [ FLAG ]...
       FLAG := [ - ]{ primary | secondary | permanent | dynamic | nodad | tentative | deprecated | ... }
       nlkit addr { add | replace } PREFIX dev NAME [ peer PREFIX ] [ broadcast ADDR ] [ label LABEL ]
                  [ scope SCOPE ] [ valid_lft SECS ] [ preferred_lft SECS ] [ metric N ] [ noprefixroute ]
       nlkit addr del PREFIX dev NAME
       nlkit addr flush dev NAME [ scope SCOPE ]`,
  route: `Usage: nlkit route show [ table ID|all ] [ proto P ] [ dev D ] [ type T ] [ scope S ] [ metric N ]
                         [ via PREFIX ] [ src PREFIX ] [ [ to ] [ root | match | exact ] PREFIX ]
                         [ from [ root | match | exact ] PREFIX ] [ tos T ] [ iif D ] [ mark M ]
                         [ realms [ FROM/ ]TO ] [ vrf NAME ] [ cached ]
       nlkit route flush { cache | SELECTOR... }
       nlkit route get ADDR [ from ADDR ] [ iif DEV ] [ oif DEV ]
       nlkit route { add | replace | change | append | del } [ type T ] PREFIX [ via ADDR ] [ dev D ] [ src ADDR ]
                   [ metric N ] [ table ID ] [ proto P ] [ scope S ] [ onlink ] [ mtu [ lock ] N ]
                   [ advmss [ lock ] N ] [ realms [ FROM/ ]TO ] [ encap ENCAP ]
                   [ nexthop via ADDR [ dev D ] [ weight W ] ]...
       ENCAP := seg6 mode { encap | inline | l2encap | encap.red | l2encap.red } segs ADDR[,ADDR]... [ hmac ID ]
              | seg6local action ACTION [ nh4 ADDR | nh6 ADDR | table ID | vrftable ID | iif D | oif D |
                                          srh segs ADDR[,ADDR]... ]`,
  neigh:
    `Usage: nlkit neigh show [ dev D ] [ nud STATE ]... [ proxy ] [ master D | nomaster ] [ proto P ] [ [ to ] PREFIX ]
       nlkit neigh get ADDR dev D
       nlkit neigh { add | replace | change } ADDR lladdr MAC dev D [ nud STATE ] [ router ] [ proxy ]
       nlkit neigh del ADDR dev D
       nlkit neigh flush dev D`,
  rule: `Usage: nlkit rule show [ table ID ] [ pref N ] [ tos TOS ] [ from PREFIX ] [ to PREFIX ] [ fwmark M[/MASK] ]
                        [ iif DEV ] [ oif DEV ] [ not ]
       nlkit rule { add | del } [ not ] [ from PREFIX ] [ to PREFIX ] [ iif DEV ] [ oif DEV ] [ fwmark MARK[/MASK] ]
                               [ priority N ] [ table ID | goto N ] [ type { unicast | blackhole | unreachable | prohibit } ]`,
  nft:
    `Usage: nlkit nft [ -j ] [ -a ] [ -s ] [ -t ] list { ruleset [ FAMILY ] | tables [ FAMILY ] | table [ FAMILY ] NAME |
                                     { chain | set | map | meter | flowtable | counter | quota | limit | secmark | synproxy |
                                       ct { helper | timeout | expectation } } [ FAMILY ] TABLE NAME |
                                     { chains | maps | meters | flowtables } [ FAMILY ] | ct helpers table [ FAMILY ] TABLE |
                                     hooks [ FAMILY ] [ device DEVICE ] |
                                     { sets | counters | quotas | limits | secmarks | synproxys } [ FAMILY | table [ FAMILY ] TABLE ] }
       nlkit nft [ -j ] [ -c ] [ -e ] [ -a ] [ -I DIR ] [ -D NAME=VALUE ] { -f { FILE | - } | -i | SCRIPT... }
                                                 apply a script (nft's language, or its JSON with -j) in one atomic
                                                 batch; -c check only, -e echo what was added; -i: stdin line by line;
                                                 the words of a command line are a one-line script, as in nft
       nlkit nft { add | create | delete | flush } { table | chain | set | map | element } ...   (nft's grammar)
       nlkit nft { add | insert } rule [ FAMILY ] TABLE CHAIN [ position HANDLE | index N ] STATEMENTS...
       nlkit nft replace rule [ FAMILY ] TABLE CHAIN handle HANDLE STATEMENTS...
       nlkit nft delete rule [ FAMILY ] TABLE CHAIN handle HANDLE
       nlkit nft flush ruleset [ FAMILY ]
       nlkit nft reset { counters | quotas } [ FAMILY | table [ FAMILY ] TABLE ] | reset { counter | quota } [ FAMILY ] TABLE NAME
       nlkit nft rename chain [ FAMILY ] TABLE CHAIN NEWNAME
       nlkit nft get element [ FAMILY ] TABLE SET { ELEMENTS }
       nlkit nft describe EXPRESSION   (a header field, meta KEY or ct KEY: its datatype and symbols)
       listings also take -y (priorities as numbers), -T (times in seconds), -n (all numeric), -p (protocols
       as numbers), -S (ports as services), -N (addresses as host names) and -u (user and group names)
       nlkit [ -j ] nft monitor [ new | destroy ] [ tables | chains | sets | rules | elements | ruleset ] [ json ]
       nlkit nft monitor trace   (packets marked meta nftrace set 1, in nft's text; a plain monitor shows them too)`,
  nexthop: `Usage: nlkit nexthop { list | flush } [ protocol ID ] SELECTOR
       nlkit nexthop { add | replace } id ID NH [ protocol ID ]
       nlkit nexthop { get | del } id ID
       nlkit nexthop bucket list BUCKET_SELECTOR
       nlkit nexthop bucket get id ID index INDEX
SELECTOR := [ id ID ] [ dev DEV ] [ vrf NAME ] [ master DEV ] [ groups ] [ fdb ]
BUCKET_SELECTOR := SELECTOR | [ nhid ID ]
NH := { blackhole | [ via ADDRESS ] [ dev DEV ] [ onlink ] | group GROUP [ fdb ] [ type TYPE [ TYPE_ARGS ] ] }
GROUP := [ <id[,weight]>/<id[,weight]>/... ]
TYPE := { mpath | resilient }
TYPE_ARGS := [ buckets BUCKETS ] [ idle_timer IDLE ] [ unbalanced_timer UNBALANCED ]`,
  genl: `Usage: nlkit genl [ ctrl ] { list | get name NAME | get id ID }   (genl ctrl's text; JSON with -j)`,
  tc:
    `Usage: nlkit tc qdisc { add | change | replace | del } dev DEV [ handle H ] [ root | ingress | clsact | parent P ]
                       [ estimator INTERVAL TIME_CONST ] KIND [ OPTIONS ]
       nlkit tc class { add | change | replace | del } dev DEV parent P [ classid C ] KIND [ OPTIONS ]
       nlkit tc filter { add | change | replace | del | get } dev DEV [ root | ingress | egress | parent P ]
                       [ protocol PROTO ] [ prio N ] [ handle H ] [ chain N ] KIND [ OPTIONS ]
       nlkit tc { qdisc | class | filter } show [ dev DEV ] [ root | ingress | egress | parent P ] [ handle H ]
       nlkit tc chain { add | del | get | show } dev DEV [ root | ingress | egress | parent P ] [ chain N ]
                       [ KIND [ OPTIONS ] ]   (a template, add only)
       nlkit tc action { add | replace | change } action KIND [ OPTIONS ] [ action ... ]
       nlkit tc action { get | del } action KIND index N
       nlkit tc action show action KIND
qdiscs: htb tbf pfifo bfifo pfifo_fast prio ingress clsact fq_codel netem sfq
filters: u32 bpf matchall flower basic    actions: gact mirred police skbedit pedit vlan csum`,
  mroute: `Usage: nlkit mroute show [ [ to ] PREFIX ] [ from PREFIX ] [ iif DEVICE ] [ table TABLE_ID ]   (-4, -6, -s)
TABLE_ID := [ local | main | default | all | NUMBER ]`,
  netconf: `Usage: nlkit netconf show [ dev NAME ]   (-4, -6, -M)`,
  token: `Usage: nlkit token [ list | set | del | get ] [ TOKEN ] [ dev DEV ]`,
  ntable: `Usage: nlkit ntable change name NAME [ dev DEV ]
        [ thresh1 VAL ] [ thresh2 VAL ] [ thresh3 VAL ] [ gc_int MSEC ]
        [ PARMS ]
Usage: nlkit ntable show [ dev DEV ] [ name NAME ]   (-4, -6, -s)
PARMS := [ base_reachable MSEC ] [ retrans MSEC ] [ gc_stale MSEC ]
         [ delay_probe MSEC ] [ queue LEN ]
         [ app_probes VAL ] [ ucast_probes VAL ] [ mcast_probes VAL ]
         [ mcast_reprobes VAL ] [ anycast_delay MSEC ]
         [ proxy_delay MSEC ] [ proxy_queue LEN ]
         [ locktime MSEC ]`,
  monitor:
    `Usage: nlkit monitor [ all | link | addr | route | mroute | neigh | rule | nexthop | netconf | nsid | stats | ct | tc ]...
                      [ label ] [ all-nsid ] [ dev NAME ] [ file FILE ]
       -t / -ts stamp each event; file FILE prints an rtmon dump as ip monitor file does.
       With -j each event is one JSON object per line: {"event":"new"|"del", "object":..., ...}`,
  netns: `Usage: nlkit netns list
       nlkit netns add NAME
       nlkit netns del NAME
       nlkit netns set NAME { NSID | auto }
       nlkit netns list-id [ target-nsid NSID ] [ nsid NSID ]
       nlkit netns identify [ PID ]
       nlkit netns pids NAME
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
  -i, --id ID   -c, --secmark N   (--state takes the TCP, SCTP or DCCP states of -p; -a is ignored with a warning)
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
  queue: `Usage: nlkit queue NUM [ --verdict { accept | drop } ] [ --mark MARK ] [ -c COUNT ] [ -w FILE.pcap | - ]`,
  log: `Usage: nlkit log GROUP [ -c COUNT ] [ -w FILE.pcap | - ]`,
};
