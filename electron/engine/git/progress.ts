/** git's progress lines ("Writing objects:  45% (4500/10000)") as counts, for "Sending N of M". */
export interface Transfer {
  what: 'sending' | 'receiving';
  done: number;
  total: number;
}

const LINE = /^(?:remote: )?(Writing|Receiving) objects:\s+\d+% \((\d+)\/(\d+)\)/;

export function parseProgress(line: string): Transfer | null {
  const m = LINE.exec(line);
  if (!m) return null;
  return { what: m[1] === 'Writing' ? 'sending' : 'receiving', done: Number(m[2]), total: Number(m[3]) };
}
