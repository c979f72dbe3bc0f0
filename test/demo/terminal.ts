/**
 * Draws the demo's view: on a terminal, one compact frame redrawn in place a few times a second;
 * otherwise (CI, a pipe, a log file) plain timestamped lines, printed only when something changed.
 */
import { plainLines, plainMemo, renderFrame, type ViewState } from './view.js';

/** A running view. */
export interface Screen {
  /** Draws once more, then stops redrawing (the last frame stays on screen). */
  stop(): void;
  /** Prints lines below the view. */
  print(lines: string[]): void;
}

/** Starts drawing `state()` to `out`; a TTY gets frames, anything else plain lines. */
export function startScreen(state: () => ViewState, out: NodeJS.WriteStream = process.stdout, plain = !out.isTTY): Screen {
  let drawn = 0;
  const memo = plainMemo();
  const draw = () => {
    const s = state();
    if (plain) {
      const lines = plainLines(s, memo);
      if (lines.length) out.write(`${lines.join('\n')}\n`);
      return;
    }
    const rows = Math.max(10, (out.rows ?? 40) - 1);
    const frame = renderFrame(s, out.columns ?? 100).slice(0, rows);
    // Move to the top of the previous frame, rewrite every line, clear what is left below.
    out.write(`${drawn > 0 ? `\x1b[${drawn}A\r` : ''}${frame.map((l) => `${l}\x1b[K`).join('\n')}\n\x1b[J`);
    drawn = frame.length;
  };
  draw();
  const timer = setInterval(draw, plain ? 500 : 250);
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      draw();
    },
    print: (lines) => {
      out.write(`${lines.join('\n')}\n`);
      drawn = 0;
    },
  };
}
