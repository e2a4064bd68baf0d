/** Progress on stderr: a redrawn line on a terminal, a line per 10 % step otherwise. */
export function progressPrinter(label: string, stream: NodeJS.WriteStream = process.stderr): (done: number, total: number, extra?: string) => void {
  let lastDecile = -1;
  const started = Date.now();
  return (done, total, extra = '') => {
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const elapsed = (Date.now() - started) / 1000;
    const eta = fraction > 0 ? (elapsed / fraction - elapsed).toFixed(0) : '?';
    const line = `${label} ${(fraction * 100).toFixed(0).padStart(3)}% ${extra} (elapsed ${elapsed.toFixed(1)} s, eta ${eta} s)`;
    if (stream.isTTY) {
      stream.write(`\r${line}`);
      if (fraction >= 1) stream.write('\n');
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(`${line}\n`);
      }
    }
  };
}
