// The AWS SDK's `requestHandler`, answering from the simulated streams in virtual time: a request
// the SDK sends at virtual time t is answered at t + the scenario's service latency, from the
// stream as it is then. The SDK above it — serialisation, signing, its retry strategy, backoff
// and jitter — runs unchanged.

import type { Sampler } from "../engine/distributions.js";
import type { RandomStream } from "../engine/random.js";
import { answerWire } from "../protocol/json-protocol.js";
import type { KinesisService } from "../protocol/kinesis-service.js";
import type { VirtualTime } from "./virtual-time.js";

/** The parts of an SDK HTTP request the handler reads. */
interface SdkRequest {
  headers: Record<string, string>;
  body?: unknown;
}

/** The response shape the SDK's deserialisers read (a smithy HttpResponse). */
interface SdkResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** Service latency of a call: reads and writes each have their own distribution. */
export interface LatencyModel {
  write: Sampler;
  read: Sampler;
  rng: RandomStream;
}

/** Counts of one client's calls, by operation and error code. */
export interface CallCounts {
  calls: Record<string, number>;
  errors: Record<string, number>;
}

/** An SDK request handler bound to a run's service and virtual clock. */
export class SimulatedRequestHandler {
  /** What the SDK asks a handler for. */
  readonly metadata = { handlerProtocol: "kinesim/virtual-time" };
  /** Calls answered, by operation, and errors by code. */
  readonly counts: CallCounts = { calls: {}, errors: {} };

  constructor(
    private readonly time: VirtualTime,
    private readonly service: KinesisService,
    private readonly latency: LatencyModel,
    /** Names requests (x-amzn-RequestId) deterministically. */
    private readonly nextRequestId: () => string,
  ) {}

  /** Answers a request after the service latency, in virtual time. */
  handle(request: SdkRequest): Promise<{ response: SdkResponse }> {
    const target = headerOf(request.headers, "x-amz-target");
    const body = bodyText(request.body);
    const read = target?.endsWith(".GetRecords") ?? false;
    const sampler = read ? this.latency.read : this.latency.write;
    const delayUs = Math.max(0, Math.round(sampler.sample(this.latency.rng)));
    return new Promise((resolve) => {
      this.time.schedule(delayUs, (nowUs) => {
        const sdkRequest = headerOf(request.headers, "amz-sdk-request");
        const wire = answerWire(this.service, { target, body, sdkRequest }, nowUs, this.nextRequestId());
        const op = wire.operation ?? "unknown";
        this.counts.calls[op] = (this.counts.calls[op] ?? 0) + 1;
        if (wire.error) this.counts.errors[wire.error] = (this.counts.errors[wire.error] ?? 0) + 1;
        resolve({
          response: { statusCode: wire.status, headers: wire.headers, body: Buffer.from(wire.body) },
        });
      });
    });
  }

  /** Part of the SDK's handler interface: nothing to configure. */
  updateHttpClientConfig(): void {}

  /** Part of the SDK's handler interface. */
  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  /** Part of the SDK's handler interface: nothing to close. */
  destroy(): void {}
}

function headerOf(headers: Record<string, string>, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return "";
  if (typeof body === "string") return body;
  // The SDK's body may be a Uint8Array subclass whose valueOf() warns: read its bytes directly.
  if (body instanceof Uint8Array)
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8");
  throw new Error("kinesim's SDK handler takes JSON request bodies only (Kinesis's JSON protocol)");
}
