// Latency distributions in microseconds on HdrHistogram (3 significant digits), recorded with
// counts so a cohort of many records costs a few insertions. A cohort's records are spread over
// its known offsets (see Spread) rather than piled on one value.

// The WebAssembly module alone, not the package's index nor its builder: the index also loads its
// log writer, which makes an Intl.NumberFormat when it loads (ICU's set-up, 15-25 ms of every
// run's start), and the builder loads the five JavaScript implementations (100 KB to compile).
import { initWebAssemblySync, WasmHistogram } from "hdr-histogram-js/dist/wasm/index.js";
import { roundUs } from "../engine/time.js";
import type { Spread } from "./spread.js";

// HdrHistogram's WebAssembly build records a value about four times faster than its JavaScript
// one (the same buckets, the same answers). It is compiled once, when the first histogram is made
// (synchronously: a module-level await stops worker threads loading this file under tsx). Its
// memory lives outside the JavaScript heap: each histogram frees its own when it is collected.
let wasmReady = false;
const release = new FinalizationRegistry<WasmHistogram>((h) => h.destroy());

// A cohort's spread lives in a module of its own, so that code which only passes spreads along (the
// stream, which `validate` loads to check a scenario's reshards) does not load HdrHistogram.
export { NO_SPREAD, type Spread } from "./spread.js";

/** The AssemblyScript loader's view of a WebAssembly object: its address, and its class's methods,
 *  each a wrapper whose `original` is the module's export. */
interface LoaderObject {
  valueOf(): number;
}
type Export = ((self: number, value: number, count: number) => void) & { length: number };

/**
 * HdrHistogram's insertion, called as the module's export with the histogram's address. The
 * loader wraps each export of a class in a function that gathers its arguments into an array and
 * tells the module their number before every call: about an eighth of an insertion's time (59
 * against 67 ns on this project's bench machine). recordValueWithCount has no optional parameter,
 * so the number does not matter to it. Falls back to the library's method if this version of the
 * loader is laid out otherwise.
 */
function directInsert(h: WasmHistogram): (value: number, count: number) => void {
  const inner = (h as unknown as { _wasmHistogram?: LoaderObject })._wasmHistogram;
  const method =
    inner &&
    (Object.getPrototypeOf(inner) as { recordValueWithCount?: { original?: Export } }).recordValueWithCount;
  const original = method?.original;
  const self = inner?.valueOf();
  if (typeof original !== "function" || typeof self !== "number" || original.length !== 3)
    return (value, count) => h.recordValueWithCount(value, count);
  return (value, count) => original(self, value, count);
}

/** A latency histogram (values in µs). */
export class LatencyHistogram {
  private readonly h: WasmHistogram;

  constructor() {
    if (!wasmReady) {
      initWebAssemblySync();
      wasmReady = true;
    }
    // HdrHistogram's own builder makes this same histogram for these settings on WebAssembly
    // (32-bit counts, its default bucket size).
    this.h = WasmHistogram.build({
      bitBucketSize: 32,
      lowestDiscernibleValue: 1,
      // Sized to the values seen: buckets are added as larger values come (autoResize), so a reset or
      // a merge walks only the buckets in use. The buckets, and so every answer, are the same as a
      // histogram made for an hour from the start.
      highestTrackableValue: 4096,
      numberOfSignificantValueDigits: 3,
      autoResize: true,
    });
    release.register(this, this.h);
    this.insert = directInsert(this.h);
  }

  /** Records (value, count): HdrHistogram's WebAssembly export itself (see directInsert). */
  private readonly insert: (value: number, count: number) => void;
  /** Number of recorded values (kept here: the histogram's own is read through WebAssembly). */
  private n = 0;

  /** Sum of the recorded values (HdrHistogram's own mean walks every bucket). */
  private sum = 0;
  /** Largest recorded value. */
  private largest = 0;

  /** Records `count` values of `valueUs`; `topUs`, if larger, is kept as the maximum (the top of
   *  a cohort's spread when its records are recorded at fewer positions than the spread has). */
  record(valueUs: number, count: number, topUs = valueUs): void {
    const v = valueUs < 1 ? 1 : roundUs(valueUs);
    this.insert(v, count);
    this.n += count;
    this.sum += v * count;
    const top = topUs > valueUs ? roundUs(topUs) : v;
    if (top > this.largest) this.largest = top;
  }

  /** Number of recorded values. */
  get count(): number {
    return this.n;
  }

  /** The p-th percentile (0–100) in µs; 0 when empty. */
  percentile(p: number): number {
    return this.n === 0 ? 0 : this.h.getValueAtPercentile(p);
  }

  /** Largest recorded value in µs (kept here: HdrHistogram's own is rounded down to its bucket
   *  when histograms of different sizes are added). */
  get max(): number {
    return this.n === 0 ? 0 : this.largest;
  }

  /** Mean in µs (of the values as recorded, before bucketing). */
  get mean(): number {
    return this.n === 0 ? 0 : this.sum / this.n;
  }

  /** Adds all of another histogram's values. */
  add(other: LatencyHistogram): void {
    if (other.n > 0) this.h.add(other.h);
    this.n += other.n;
    this.sum += other.sum;
    if (other.largest > this.largest) this.largest = other.largest;
  }

  /** Empties the histogram. */
  reset(): void {
    // A reset clears every bucket: skip it when there is nothing to clear.
    if (this.n > 0) this.h.reset();
    this.n = 0;
    this.sum = 0;
    this.largest = 0;
  }
}

/** Positions per cohort when `pieces` cohorts finish together: four points a batch at least. */
export function positionsPerPiece(pieces: number): number {
  return pieces >= 4 ? 1 : pieces >= 2 ? 2 : 4;
}

/** Values an interval keeps as (value, count, top) triples before its own histogram takes over. */
const PENDING_VALUES = 2048;

/** Fewer pending values than this are replayed into another histogram rather than merged (a
 *  merge walks every bucket: a few dozen microseconds whatever the interval held). */
const REPLAY_BELOW = 1024;

/**
 * A histogram of the current metrics interval and one of the whole run. While an interval holds
 * few values they are kept as (value, count) pairs only: at its close they are replayed into the
 * whole-run histogram, and the interval's own histogram is filled only if someone reads it (an
 * interval row of the time series). A busy interval outgrows the pairs: its histogram then takes
 * every value and is merged into the whole run's at the close (a merge walks the buckets once:
 * cheaper than recording every value twice).
 */
export class IntervalHistogram {
  private readonly hist = new LatencyHistogram();
  private readonly whole = new LatencyHistogram();
  /** False when nobody reads the intervals (a run whose rows are discarded): only the total is kept. */
  keepIntervals = true;
  /** (value, count, top) triples of this interval: all of its values, unless it overflowed. */
  private readonly pending = new Float64Array(3 * PENDING_VALUES);
  private pendingValues = 0;
  /** `hist` holds every value of this interval so far. */
  private materialized = false;
  /** This interval outgrew `pending`: `hist` has its values, and is merged into `whole` at its close. */
  private overflow = false;
  /** `whole` was read during this interval: the rest of the interval is recorded into both. */
  private direct = false;
  /** Golden-ratio sequence state for dithering cohort spreads (deterministic). */
  private phase = 0;

  /** The current interval's histogram. */
  get interval(): LatencyHistogram {
    this.materialize();
    return this.hist;
  }

  /** The whole run's histogram, up to now. */
  get total(): LatencyHistogram {
    if (this.keepIntervals && !this.direct) {
      this.addIntervalTo(this.whole);
      this.direct = true;
    }
    return this.whole;
  }

  /** Adds the current interval's values to `target` (a window of several intervals). */
  addIntervalTo(target: LatencyHistogram): void {
    // Few pairs are replayed; many are merged if the interval's histogram holds them already.
    if (this.overflow || (this.materialized && this.pendingValues >= REPLAY_BELOW)) target.add(this.hist);
    else this.replayInto(target);
  }

  /** Records `count` values of `valueUs` (with `topUs` as a maximum: see LatencyHistogram). */
  record(valueUs: number, count: number, topUs = valueUs): void {
    if (!this.keepIntervals) {
      this.whole.record(valueUs, count, topUs);
      return;
    }
    if (this.direct) this.whole.record(valueUs, count, topUs);
    if (this.materialized) this.hist.record(valueUs, count, topUs);
    if (this.overflow) return;
    if (this.pendingValues === PENDING_VALUES) {
      if (!this.materialized) {
        this.materialize();
        this.hist.record(valueUs, count, topUs);
      }
      this.overflow = true;
      return;
    }
    const i = 3 * this.pendingValues++;
    this.pending[i] = valueUs;
    this.pending[i + 1] = count;
    this.pending[i + 2] = topUs;
  }

  /**
   * Records `count` records whose latencies are `baseUs` plus offsets spread uniformly over
   * [lo, hi]: at up to four stratified positions, dithered with a golden-ratio sequence so that
   * over many cohorts the recorded values fill the range evenly and no remainder is rounded
   * towards one end. A batch of many cohorts finished at once (a Lambda batch, a delivered
   * object) records each at fewer `positions` (see `positionsPerPiece`): its cohorts lie side by
   * side and the sequence spreads them over their ranges. The maximum stays what four positions
   * would have reached.
   */
  recordSpread(baseUs: number, count: number, spread: Spread, positions = 4): void {
    const atHi = spread.atHi;
    if (atHi !== undefined && atHi > 0) {
      const oldest = Math.min(count, Math.floor(count * atHi + this.nextPhase()));
      if (positions === 1 && oldest > 0 && oldest < count) {
        // One point for the whole cohort, as its other cases are recorded when many finish
        // together: the oldest records' value for their share of cohorts, otherwise a dithered
        // place in the uniform part. Over the batch the points follow the cohorts' own mix, and
        // the maximum stays the oldest records'.
        const top = baseUs + spread.hi;
        const at = this.nextPhase() * count;
        if (at < oldest) this.record(top, count);
        else
          this.record(
            baseUs + spread.lo + ((at - oldest) / (count - oldest)) * (spread.hi - spread.lo),
            count,
            top,
          );
        return;
      }
      if (oldest > 0) this.record(baseUs + spread.hi, oldest);
      if (oldest < count) this.recordUniform(baseUs, count - oldest, spread.lo, spread.hi, positions);
      return;
    }
    this.recordUniform(baseUs, count, spread.lo, spread.hi, positions);
  }

  /** Records `count` values of `baseUs` plus offsets spread uniformly over [lo, hi] (see
   *  recordSpread, without a share at the top). */
  recordRange(baseUs: number, count: number, lo: number, hi: number): void {
    this.recordUniform(baseUs, count, lo, hi, 4);
  }

  private recordUniform(baseUs: number, count: number, lo: number, hi: number, positions: number): void {
    const width = hi - lo;
    if (width === 0) {
      this.record(baseUs + lo, count);
      return;
    }
    const four = Math.min(count, 4);
    const parts = Math.max(1, Math.min(four, positions));
    const u = this.nextPhase();
    const each = Math.floor(count / parts);
    const extra = count - each * parts;
    const first = Math.floor(u * parts);
    // With fewer positions than four, the top is kept where the fourth would have been.
    const top = parts < four ? baseUs + lo + ((four - 1 + u) / four) * width : undefined;
    for (let i = 0; i < parts; i++) {
      const n = each + ((i - first + parts) % parts < extra ? 1 : 0);
      this.record(baseUs + lo + ((i + u) / parts) * width, n, i === parts - 1 ? top : undefined);
    }
  }

  /** The next point of the golden-ratio sequence in [0, 1). */
  private nextPhase(): number {
    this.phase += 0.6180339887498949;
    if (this.phase >= 1) this.phase -= 1;
    return this.phase;
  }

  /** Starts a new interval. */
  closeInterval(): void {
    if (this.keepIntervals && !this.direct) this.addIntervalTo(this.whole);
    if (this.materialized) this.hist.reset();
    this.materialized = false;
    this.overflow = false;
    this.direct = false;
    this.pendingValues = 0;
  }

  /** Fills the interval's histogram from its pairs (once per interval, when it is first needed). */
  private materialize(): void {
    if (this.materialized) return;
    this.replayInto(this.hist);
    this.materialized = true;
  }

  private replayInto(target: LatencyHistogram): void {
    const pending = this.pending;
    for (let i = 0; i < 3 * this.pendingValues; i += 3)
      target.record(pending[i]!, pending[i + 1]!, pending[i + 2]!);
  }
}
