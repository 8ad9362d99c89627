// Record sizes against the target's maximum record size, checked when a scenario loads: a size that
// is always over the maximum is bad input; a distribution with some mass over it is a warning that
// says how much (at run time such records are rejected by the API, not clamped and not throttled).

import { FIREHOSE_PUT } from "../data/firehose-limits.js";
import { KINESIS } from "../data/kinesis-limits.js";
import type { Fact } from "../data/sources.js";
import { SQS_FIFO } from "../data/sqs-limits.js";
import { compileDistribution } from "../engine/distributions.js";
import { aboveMaximum } from "../scenario/messages.js";
import type { Scenario } from "../scenario/schema.js";
import { formatSize } from "../scenario/units.js";
import type { ScheduleProblem } from "./capacity.js";
import { meanKeyBytesOf } from "./keys.js";

/** The largest record a producer's target takes, and what it is. */
function targetLimit(
  scenario: Scenario,
  target: string,
): { bytes: number; fact: Fact; what: string; raise: string } {
  const stream = [scenario.stream, ...scenario.streams].find((s) => s.name === target);
  if (stream)
    return {
      bytes: stream.maxRecordSize,
      fact:
        stream.maxRecordSize > KINESIS.maxRecordSizeDefault.value
          ? KINESIS.maxRecordSizeMax
          : KINESIS.maxRecordSizeDefault,
      what: `stream "${target}"`,
      raise:
        stream.maxRecordSize < KINESIS.maxRecordSizeMax.value
          ? `; raise stream.maxRecordSize (up to ${formatSize(KINESIS.maxRecordSizeMax.value)}) or send smaller records`
          : "",
    };
  if (scenario.queues.some((q) => q.name === target))
    return {
      bytes: SQS_FIFO.maxMessageBytes.value,
      fact: SQS_FIFO.maxMessageBytes,
      what: `queue "${target}"`,
      raise: "",
    };
  return {
    bytes: FIREHOSE_PUT.maxRecordBytes.value,
    fact: FIREHOSE_PUT.maxRecordBytes,
    what: `delivery stream "${target}"`,
    raise: "",
  };
}

/** Producers whose records can be over their target's maximum record size. */
export function checkRecordSizes(scenario: Scenario): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  scenario.producers.forEach((p, i) => {
    const limit = targetLimit(scenario, p.target);
    const keyed = [scenario.stream, ...scenario.streams].some((s) => s.name === p.target);
    const size = compileDistribution({ ...p.recordSize, clampMin: 0 });
    const split = size.splitAt(limit.bytes - (keyed ? meanKeyBytesOf(p.partitionKey) : 0));
    if (split.above === 0) return;
    const path = ["producers", i, "recordSize"];
    const counted = keyed ? " (data and partition key together)" : "";
    if (split.above > 1 - 1e-9) {
      problems.push({
        path,
        message: `${aboveMaximum(`a record of ${formatSize(Math.round(split.aboveMean))}${keyed ? " with its key" : ""}`, formatSize(limit.bytes), limit.fact)}: every record would be over the maximum record size of ${limit.what}${counted}, and AWS rejects such records with a validation error${limit.raise}`,
      });
      return;
    }
    const share = 100 * split.above;
    problems.push({
      path,
      severity: "warning",
      message: `about ${share >= 1 ? share.toFixed(1) : share.toPrecision(2)}% of these records would be over the maximum record size of ${limit.what}, ${formatSize(limit.bytes)}${counted}: the API rejects them with a validation error, they are not retried, and the run counts them as rejected${limit.raise}`,
    });
  });
  return problems;
}
