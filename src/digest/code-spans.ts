/**
 * Where Markdown code spans are, as CommonMark reads them. Pure: no I/O. Shared by the inline
 * parser of escape.ts and by mentions.ts, which must leave code as written.
 */

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;

/** Where each code span's closing backtick run starts, by the position of its opening run. */
export function matchCodeSpans(src: string): Map<number, number> {
  const runs: { start: number; length: number }[] = [];
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '\\' && i + 1 < src.length && ASCII_PUNCTUATION.test(src[i + 1]!)) {
      i++;
    } else if (src[i] === '`') {
      const start = i;
      while (src[i + 1] === '`') i++;
      runs.push({ start, length: i - start + 1 });
    }
  }
  // A run opens a code span closed by the next run of the same length; runs inside are plain text.
  const nextOfSameLength = new Array<number>(runs.length).fill(-1);
  const lastOfLength = new Map<number, number>();
  for (let k = runs.length - 1; k >= 0; k--) {
    nextOfSameLength[k] = lastOfLength.get(runs[k]!.length) ?? -1;
    lastOfLength.set(runs[k]!.length, k);
  }
  const ends = new Map<number, number>();
  let k = 0;
  while (k < runs.length) {
    const closing = nextOfSameLength[k]!;
    if (closing < 0) {
      k++;
    } else {
      ends.set(runs[k]!.start, runs[closing]!.start);
      k = closing + 1;
    }
  }
  return ends;
}
