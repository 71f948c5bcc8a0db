import cliProgress from 'cli-progress';
import { formatCount, formatDuration, formatRate } from './formatProgress.ts';

/** A progress reporter the CLI hands to long library calls. */
export interface ProgressBar {
  update(done: number, total?: number): void;
  stop(): void;
}

/** Options of {@link progressBar}. */
export interface ProgressBarOptions {
  /** Where to write; default `process.stderr`. */
  stream?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
  /**
   * Seconds between plain progress lines when the stream is not a terminal (CI, a log file);
   * default 15, or `EHR_EMBED_PROGRESS_SECONDS` from the environment. 0 turns them off.
   */
  intervalSeconds?: number;
  /** Clock in milliseconds (tests); default `performance.now`. */
  now?: () => number;
}

function defaultInterval(): number {
  const env = Number(process.env.EHR_EMBED_PROGRESS_SECONDS);
  return Number.isFinite(env) && env >= 0 && process.env.EHR_EMBED_PROGRESS_SECONDS !== '' ? env : 15;
}

/**
 * Progress of one step on stderr with a rounded rate and an ETA. On a terminal: a redrawn bar.
 * Elsewhere (CI, a pipe, a log file): one plain line every `intervalSeconds` (default 15) and a
 * last line when the step stops, so a long run shows life in a log without flooding it.
 * @param label names the work (`label`, `embed`, `convert fhir`).
 * @param unit `bytes` shows MB; anything else is a plain count with that unit name (default `items`).
 */
export function progressBar(label: string, unit = 'items', options: ProgressBarOptions = {}): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const bytes = unit === 'bytes';
  const shownUnit = bytes ? 'MB' : unit;
  const fmt = (n: number): string => (bytes ? (n / 1e6).toFixed(1) : formatCount(n));
  const started = now();
  const rateOf = (done: number): number => {
    const secs = (now() - started) / 1000;
    return secs > 0 ? (bytes ? done / 1e6 : done) / secs : 0;
  };
  if (!stream.isTTY)
    return plainProgress(label, shownUnit, fmt, rateOf, stream, options.intervalSeconds ?? defaultInterval(), now, started);
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WriteStream,
      format: `${label} [{bar}] {percentage}% | {done}/{all} ${shownUnit} | {speed} | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  return {
    update(done, total) {
      const t = total ?? Math.max(done, 1);
      const payload = { done: fmt(done), all: fmt(t), speed: `${formatRate(rateOf(done))} ${shownUnit}/s` };
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

function plainProgress(
  label: string,
  unit: string,
  fmt: (n: number) => string,
  rateOf: (done: number) => number,
  stream: { write(s: string): unknown },
  intervalSeconds: number,
  now: () => number,
  started: number,
): ProgressBar {
  let last = { done: 0, total: 0 };
  let lastLine = started;
  let printed = false;
  const line = (final: boolean): void => {
    const { done, total } = last;
    const rate = rateOf(done);
    const pct = total > 0 ? ` (${Math.min(100, Math.floor((100 * done) / total))}%)` : '';
    const remaining = total > done && rate > 0 ? (unit === 'MB' ? (total - done) / 1e6 : total - done) / rate : 0;
    const tail = final ? `, ${formatDuration((now() - started) / 1000)}` : remaining > 0 ? `, ETA ${formatDuration(remaining)}` : '';
    stream.write(`[ehr-embed] ${label}: ${fmt(done)}/${fmt(total)} ${unit}${pct}, ${formatRate(rate)} ${unit}/s${tail}\n`);
    printed = true;
  };
  return {
    update(done, total) {
      last = { done, total: total ?? Math.max(done, 1) };
      if (intervalSeconds > 0 && now() - lastLine >= intervalSeconds * 1000) {
        lastLine = now();
        line(false);
      }
    },
    stop() {
      // Only steps long enough to have shown a line get a closing one: short steps stay quiet.
      if (printed) line(true);
    },
  };
}
