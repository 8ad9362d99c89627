// The Kinesis JSON wire protocol (awsJson1_1): a POST whose `X-Amz-Target` header names the
// operation (`Kinesis_20131202.PutRecords`) and whose body is the input as JSON; the answer is the
// output as JSON, or an error body `{"__type": code, "message": …}` with HTTP 400.

import { KinesisError, type KinesisService, type SdkAttempt } from "./kinesis-service.js";

/** The target prefix of every Kinesis Data Streams operation. */
export const TARGET_PREFIX = "Kinesis_20131202.";
/** Content type of requests and responses. */
export const CONTENT_TYPE = "application/x-amz-json-1.1";

/** A request as it came off the wire. */
export interface WireRequest {
  /** The X-Amz-Target header (undefined when absent). */
  target: string | undefined;
  body: string;
  /** The amz-sdk-request header (`attempt=1; max=3`), when the client sent one. */
  sdkRequest?: string | undefined;
}

/** A response to put on the wire. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The operation answered (for metrics), or undefined when the request named none. */
  operation: string | undefined;
  /** The error code, when the answer is an error. */
  error?: string;
}

/** Answers one wire request from the service at virtual time `nowUs`; `requestId` names it. */
export function answerWire(
  service: KinesisService,
  request: WireRequest,
  nowUs: number,
  requestId: string,
): WireResponse {
  const headers = { "content-type": CONTENT_TYPE, "x-amzn-requestid": requestId };
  const target = request.target;
  const operation = target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
  try {
    if (operation === undefined)
      throw new KinesisError(
        "UnknownOperationException",
        `expected an X-Amz-Target header ${TARGET_PREFIX}<Operation>`,
      );
    let input: unknown;
    try {
      input = request.body.length === 0 ? {} : JSON.parse(request.body);
    } catch {
      throw new KinesisError("SerializationException", "the request body is not valid JSON");
    }
    if (typeof input !== "object" || input === null || Array.isArray(input))
      throw new KinesisError("SerializationException", "the request body must be a JSON object");
    const output = service.call(
      operation,
      input as Record<string, unknown>,
      nowUs,
      attemptOf(request.sdkRequest),
    );
    return { status: 200, headers, body: JSON.stringify(output), operation };
  } catch (error) {
    if (!(error instanceof KinesisError)) throw error;
    return {
      status: error.status,
      headers: { ...headers, "x-amzn-errortype": error.code },
      body: JSON.stringify({ __type: error.code, message: error.message }),
      operation,
      error: error.code,
    };
  }
}

/** Reads the SDKs' `amz-sdk-request: attempt=2; max=3` header. */
function attemptOf(header: string | undefined): SdkAttempt | undefined {
  const m = header === undefined ? null : /attempt=(\d+);\s*max=(\d+)/.exec(header);
  return m ? { number: Number(m[1]), max: Number(m[2]) } : undefined;
}
