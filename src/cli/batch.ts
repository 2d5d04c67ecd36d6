/**
 * `-b FILE`: many commands in one process, split like iproute2's batch
 * reader (whitespace, quotes, `#` comments, trailing `\` joins lines).
 *
 * @module
 */

import { readText } from "./io.ts";
import { UsageError } from "./args.ts";

/** One command of a batch file, with its line number. */
export interface BatchLine {
  /** 1-based line number where the command starts. */
  line: number;
  /** The command's words. */
  words: string[];
}

/** Splits one line into words, honouring quotes and `#` comments. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let cur = "";
  let has = false;
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = "";
      else if (c === "\\" && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === "#" && !has) {
      break;
    } else if (/\s/.test(c)) {
      if (has) words.push(cur);
      cur = "";
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) throw new UsageError(`Unterminated quote in: ${text.trim()}`, text.trim());
  if (has) words.push(cur);
  return words;
}

/** Parses batch text into commands, skipping blank and comment lines. */
export function parseBatch(text: string): BatchLine[] {
  const lines = text.split("\n");
  const out: BatchLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    while (line.endsWith("\\") && i + 1 < lines.length) line = line.slice(0, -1) + " " + lines[++i];
    const words = splitWords(line);
    if (words.length) out.push({ line: start + 1, words });
  }
  return out;
}

/** Reads a batch file ("-" is stdin). */
export function readBatch(file: string): BatchLine[] {
  return parseBatch(readText(file === "-" ? "/dev/stdin" : file));
}
