/**
 * The word cursor kind modules read `tc`'s grammar from, so each kind's
 * command-line words live in its own module without depending on the CLI.
 *
 * @module
 */

import { WordCursor } from "../../words.ts";

/** Reads words one at a time; bad input is an `InvalidArgumentError` naming the word. */
export class TcWords extends WordCursor {}
