// A unified line diff for showing how a transform's output differs from its golden file. Inputs are
// indented XML of fixture size; the LCS table is bounded so a huge mismatch degrades to a plain
// "replace everything from the first differing line" hunk instead of exhausting memory.

const MAX_CELLS = 4_000_000;
const CONTEXT = 3;

type Op = { kind: ' ' | '-' | '+'; line: string };

export function unifiedDiff(expected: string, actual: string, labels: { expected: string; actual: string }): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const ops = diffOps(a, b);
  if (ops.every((op) => op.kind === ' ')) return '';
  // 1-based line numbers, in each file, of the line each op stands at.
  const lineA: number[] = [];
  const lineB: number[] = [];
  let na = 1;
  let nb = 1;
  for (const op of ops) {
    lineA.push(na);
    lineB.push(nb);
    if (op.kind !== '+') na++;
    if (op.kind !== '-') nb++;
  }
  const changed = ops.flatMap((op, index) => (op.kind === ' ' ? [] : [index]));
  const out = [`--- ${labels.expected}`, `+++ ${labels.actual}`];
  // Changes closer than two contexts apart share one hunk.
  let first = 0;
  while (first < changed.length) {
    let last = first;
    while (last + 1 < changed.length && (changed[last + 1] as number) - (changed[last] as number) <= 2 * CONTEXT)
      last++;
    const from = Math.max(0, (changed[first] as number) - CONTEXT);
    const to = Math.min(ops.length, (changed[last] as number) + CONTEXT + 1);
    const hunk = ops.slice(from, to);
    out.push(
      `@@ -${lineA[from]},${hunk.filter((op) => op.kind !== '+').length} +${lineB[from]},${hunk.filter((op) => op.kind !== '-').length} @@`,
    );
    for (const op of hunk) out.push(`${op.kind}${op.line}`);
    first = last + 1;
  }
  return `${out.join('\n')}\n`;
}

function diffOps(a: string[], b: string[]): Op[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  )
    suffix++;
  const midA = a.slice(prefix, a.length - suffix);
  const midB = b.slice(prefix, b.length - suffix);
  const same = (lines: string[]): Op[] => lines.map((line) => ({ kind: ' ', line }));
  return [...same(a.slice(0, prefix)), ...middleOps(midA, midB), ...same(a.slice(a.length - suffix))];
}

function middleOps(a: string[], b: string[]): Op[] {
  if ((a.length + 1) * (b.length + 1) > MAX_CELLS) {
    return [...a.map((line): Op => ({ kind: '-', line })), ...b.map((line): Op => ({ kind: '+', line }))];
  }
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] as number) + 1
          : Math.max(lcs[(i + 1) * width + j] as number, lcs[i * width + j + 1] as number);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i++] as string });
      j++;
    } else if (
      i < a.length &&
      (j === b.length || (lcs[(i + 1) * width + j] as number) >= (lcs[i * width + j + 1] as number))
    ) {
      ops.push({ kind: '-', line: a[i++] as string });
    } else {
      ops.push({ kind: '+', line: b[j++] as string });
    }
  }
  return ops;
}
