// `kinesim bench --peer`: kinesim beside the per-record SimPy model a user would write instead
// (the peer, kept outside the project with its own README), on the same four cases, whole
// process against whole process, each pair run alternately; medians and ratios per case, and the
// answers side by side where the two models mean the same thing. Wall-clock time lives only here.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bareNodeMs, benchMachine, machineLine, median } from "./bench.js";
import { textTable } from "./human.js";

/** A peer case: the peer's flags and the same work as a kinesim scenario. */
interface PeerCase {
  name: string;
  flags: string[];
  scenario: string;
  seconds: number;
  /** kinesim's resolution for this row. */
  resolution: "record" | "10ms";
  /** The ratio the performance brief asks for, if it sets one. */
  target?: number;
}

const peerCase = (
  n: 1 | 2 | 3 | 4,
  seconds: number,
  resolution: "record" | "10ms",
  target?: number,
): PeerCase => ({
  name: `R${n}${seconds === 600 ? "" : ` ${seconds / 60} min`}/${resolution}`,
  flags: FLAGS[n],
  scenario: `scenarios/bench/peer-R${n}.yaml`,
  seconds,
  resolution,
  ...(target !== undefined ? { target } : {}),
});

/** The peer's flags for its four cases (its run_reference.sh). */
const FLAGS: Record<1 | 2 | 3 | 4, string[]> = {
  1: ["--shards", "4", "--rate", "3000", "--size", "1024", "--key-mode", "uniform", "--keys", "10000"],
  2: ["--shards", "2", "--rate", "3000", "--size", "1024", "--key-mode", "uniform", "--keys", "10000"],
  3: [
    "--shards",
    "8",
    "--rate",
    "4000",
    "--size",
    "1024",
    "--key-mode",
    "hot",
    "--hot-fraction",
    "0.3",
    "--keys",
    "10000",
  ],
  4: ["--shards", "50", "--rate", "40000", "--size", "1024", "--key-mode", "uniform", "--keys", "100000"],
};

/** The cases and the ratios the brief sets: 20× at record resolution, 200× at 10 ms on R4. */
export const PEER_CASES: PeerCase[] = [
  peerCase(1, 600, "record"),
  peerCase(1, 3600, "record", 20),
  peerCase(2, 600, "record", 20),
  peerCase(3, 600, "record", 20),
  peerCase(4, 600, "record", 20),
  peerCase(4, 600, "10ms", 200),
];

/** One timed process: wall seconds and what it answered. */
interface Timed {
  wallSeconds: number;
  firstAttemptThrottled: number;
}

function timed(command: string, args: string[], env?: NodeJS.ProcessEnv): { wall: number; stdout: string } {
  const started = process.hrtime.bigint();
  const child = spawnSync(command, args, {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    ...(env ? { env } : {}),
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${child.stderr}`);
  return { wall, stdout: child.stdout };
}

function runPeer(dir: string, c: PeerCase): Timed {
  const env = { ...process.env, PYTHONPATH: join(dir, "simpy-4.1.1", "src") };
  const { wall, stdout } = timed(
    "python3",
    ["-B", join(dir, "simpy_kinesis.py"), "--seconds", String(c.seconds), ...c.flags],
    env,
  );
  const out = JSON.parse(stdout) as { first_attempt_throttle_fraction: number };
  return { wallSeconds: wall, firstAttemptThrottled: out.first_attempt_throttle_fraction };
}

function runKinesim(cli: string, c: PeerCase, out: string): Timed {
  const args = [cli, "run", c.scenario, "--resolution", c.resolution, "--duration", `${c.seconds}s`];
  const { wall } = timed(process.execPath, [...args, "--no-charts", "--quiet", "--force", "--out", out]);
  const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
    throttle: { firstAttemptFraction: number };
  };
  return { wallSeconds: wall, firstAttemptThrottled: summary.throttle.firstAttemptFraction };
}

/** Runs every peer case `runs` times as alternating pairs; prints and writes the table. */
export function benchPeerCommand(options: { peerDir: string; runs: number; only?: string }): number {
  const dir = resolve(options.peerDir);
  if (!existsSync(join(dir, "simpy_kinesis.py"))) {
    process.stderr.write(
      `the peer model is not at ${dir} (simpy_kinesis.py); give its folder with --peer-dir (see its README)\n`,
    );
    return 2;
  }
  const python = spawnSync("python3", ["--version"], { encoding: "utf8" });
  if (python.status !== 0) {
    process.stderr.write("python3 is not on this machine: the peer cannot run (see its README)\n");
    return 2;
  }
  const cli = fileURLToPath(new URL("./main.js", import.meta.url));
  const bareBefore = bareNodeMs();
  const work = mkdtempSync(join(tmpdir(), "kinesim-peer-"));
  const rows: {
    case: string;
    peerSeconds: number;
    kinesimSeconds: number;
    ratio: number;
    target?: number;
    peerThrottled: number;
    kinesimThrottled: number;
  }[] = [];
  try {
    for (const c of PEER_CASES.filter((x) => options.only === undefined || x.name.startsWith(options.only))) {
      const peer: Timed[] = [];
      const ours: Timed[] = [];
      for (let i = 0; i < options.runs; i++) {
        // Alternate which goes first, so a machine's drift falls on both.
        if (i % 2 === 0) {
          peer.push(runPeer(dir, c));
          ours.push(runKinesim(cli, c, join(work, "run")));
        } else {
          ours.push(runKinesim(cli, c, join(work, "run")));
          peer.push(runPeer(dir, c));
        }
      }
      const peerSeconds = median(peer.map((t) => t.wallSeconds));
      const kinesimSeconds = median(ours.map((t) => t.wallSeconds));
      rows.push({
        case: c.name,
        peerSeconds,
        kinesimSeconds,
        ratio: peerSeconds / kinesimSeconds,
        ...(c.target !== undefined ? { target: c.target } : {}),
        peerThrottled: peer[0]!.firstAttemptThrottled,
        kinesimThrottled: ours[0]!.firstAttemptThrottled,
      });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const machine = benchMachine(bareBefore);
  mkdirSync("reports/bench", { recursive: true });
  writeFileSync(
    "reports/bench/peer.json",
    `${JSON.stringify({ machine, runs: options.runs, rows }, null, 2)}\n`,
  );
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  process.stdout.write(
    machineLine(
      machine,
      options.runs === 1
        ? "whole processes, one pair"
        : `whole processes, median of ${options.runs} alternating pairs`,
    ),
  );
  process.stdout.write(
    textTable(
      ["case", "peer s", "kinesim s", "faster by", "target", "1st-attempt throttled (peer / kinesim)"],
      rows.map((r) => [
        r.case,
        r.peerSeconds.toFixed(2),
        r.kinesimSeconds.toFixed(2),
        `${r.ratio.toFixed(1)}×`,
        r.target === undefined ? "" : `≥ ${r.target}×: ${r.ratio >= r.target ? "met" : "missed"}`,
        `${pct(r.peerThrottled)} / ${pct(r.kinesimThrottled)}`,
      ]),
    ),
  );
  process.stdout.write(
    "The peer's retried records rejoin its buffer; kinesim's SDK send loop resends a throttled request's remainder on its own: throttling is comparable in kind, not to the record.\nwrote reports/bench/peer.json\n",
  );
  return 0;
}
