import cliProgress from 'cli-progress';

/** A progress reporter the CLI hands to long library calls. */
export interface ProgressBar {
  update(done: number, total?: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr with rate and ETA. Silent when stderr is not a terminal (CI, pipes),
 * so logs stay clean; `label` names the work.
 * @param unit `bytes` shows MB; anything else is a plain count with that unit name.
 */
export function progressBar(label: string, unit = 'items'): ProgressBar {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const bytes = unit === 'bytes';
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {done}/{all} ${bytes ? 'MB' : unit} | {speed} | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  let running = false;
  const fmt = (n: number): string => (bytes ? (n / 1e6).toFixed(1) : String(n));
  return {
    update(done, total) {
      const t = total ?? Math.max(done, 1);
      const secs = (performance.now() - started) / 1000;
      const speed = secs > 0 ? `${fmt(done / secs)} ${bytes ? 'MB' : unit}/s` : '';
      const payload = { done: fmt(done), all: fmt(t), speed };
      if (!running) {
        bar.start(t, done, payload);
        running = true;
      } else {
        bar.setTotal(t);
        bar.update(done, payload);
      }
    },
    stop() {
      if (running) bar.stop();
    },
  };
}
