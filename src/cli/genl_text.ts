/**
 * `genl ctrl list`'s text layout for a generic netlink family.
 *
 * @module
 */

import type { GenericFamily } from "../genl/ctrl.ts";

/** The capability words `genl` prints, by flag bit, in its order. */
const CAPABILITIES: [number, string][] = [
  [0x1, " requires admin permission;"],
  [0x2, " can doit;"],
  [0x4, " can dumpit;"],
  [0x8, " has policy"],
];

/** Formats a family as `genl ctrl list` prints it (a blank line first; capabilities from version 2 on). */
export function formatFamily(f: GenericFamily): string {
  let s = `\nName: ${f.name}\n`;
  s += `\tID: 0x${f.id.toString(16)}  Version: 0x${f.version.toString(16)}  header size: ${f.hdrsize} `;
  s += ` max attribs: ${f.maxattr} \n`;
  if (f.ops.length) {
    s += "\tcommands supported: \n";
    f.ops.forEach((op, i) => {
      s += `\t\t#${i + 1}:  ID-0x${op.id.toString(16)} `;
      if (f.version >= 2) {
        s += `\n\t\tCapabilities (0x${op.flagBits.toString(16)}):\n `;
        s += op.flagBits ? `\t\t ${CAPABILITIES.filter(([b]) => op.flagBits & b).map(([, w]) => w).join("")}\n` : "\n";
      }
      s += "\n";
    });
    s += "\n";
  }
  if (f.groups.length) {
    s += "\tmulticast groups:\n";
    f.groups.forEach((g, i) => s += `\t\t#${i + 1}:  ID-0x${g.id.toString(16)}  name: ${g.name} \n`);
    s += "\n";
  }
  return s;
}
