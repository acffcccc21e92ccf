// Helpers of the playground page that touch no DOM: reading its number fields, naming characters,
// measuring the speed. Kept apart from playground.js so that the browser test can call them directly.

export const MAX_LENGTH = 5000;
export const MAX_SEED = 2 ** 32 - 1;          // mulberry32 takes a 32-bit seed

// A whole number in [min, max] from a field's text -> { value } or { error } (never a silent change).
export function readInteger(text, min, max, what) {
  const t = String(text).trim();
  const error = `${what} must be a whole number from ${min} to ${max.toLocaleString("en")}`;
  if (!/^\d+$/.test(t)) return { error: t ? `${error}, not “${t}”.` : `${error}.` };
  const value = Number(t);
  if (value < min || value > max) return { error: `${error}; ${t} is out of range.` };
  return { value };
}

// The three number fields -> { values, errors }: errors maps a field name to its message.
export function readSettings({ topk, seed, length }, vocabSize) {
  const read = { topk: readInteger(topk, 0, vocabSize, "Top-k"), seed: readInteger(seed, 0, MAX_SEED, "The seed"),
    length: readInteger(length, 1, MAX_LENGTH, "The number of characters") };
  const errors = {}, values = {};
  for (const [name, r] of Object.entries(read)) {
    if ("error" in r) errors[name] = r.error; else values[name] = r.value;
  }
  return { values, errors };
}

// Characters a reader cannot see when printed: control, format, separator (space) classes.
const INVISIBLE = /[\p{C}\p{Z}]/u;
const SHOWN = { "\n": "↵", " ": "␣", "\t": "⇥" };
const NAMED = { "\n": "new line", " ": "space", "\t": "tab", "\r": "carriage return", "\u00a0": "no-break space" };
const codePoint = (ch) => "U+" + ch.codePointAt(0).toString(16).toUpperCase().padStart(4, "0");

// One character as drawn in the output tables: a visible symbol for the invisible ones.
export function showChar(ch) {
  return SHOWN[ch] || (INVISIBLE.test(ch) ? codePoint(ch) : ch);
}

// One character as named in a message: “é”, or "a tab (U+0009)" for a character one cannot see.
export function nameChar(ch) {
  if (!INVISIBLE.test(ch)) return `“${ch}”`;
  return NAMED[ch] ? `a ${NAMED[ch]} (${codePoint(ch)})` : `an invisible character (${codePoint(ch)})`;
}

// Characters per second of computing only: the time between animation frames (the page idle, the tab
// in the background, a pause) is not counted.
export class BusyRate {
  constructor() { this.ms = 0; this.chars = 0; }
  add(ms, chars) { this.ms += ms; this.chars += chars; }
  get perSecond() { return this.ms > 0 ? (1000 * this.chars) / this.ms : null; }
}
