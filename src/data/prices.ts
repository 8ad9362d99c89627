// Prices of Kinesis Data Streams, Amazon Data Firehose, Lambda and Managed Service for Apache
// Flink, per Region, as dated data with sources (see sources.ts). All are snapshots: the facts
// sheet of 2026-11 records where each came from and how sure it is. A user can replace any of
// them with a prices file (`--prices`), e.g. for a negotiated discount or another Region.
//
// Units: dollars; "GB" is 2^30 bytes, as AWS bills data volumes; a month is 730 hours.

import type { SourceKey } from "./sources.js";

/** A price with its unit and where it comes from. */
export interface Price {
  value: number;
  unit: string;
  sources: readonly SourceKey[];
  /** How sure the number is, or how it was derived. */
  note?: string;
}

/** Every price kinesim bills with. */
export interface PriceTable {
  region: string;
  /** When the numbers were taken (the facts sheet's snapshot). */
  asOf: string;
  provisioned: {
    shardHour: Price;
    putPayloadUnitPerMillion: Price;
    extendedRetentionShardHour: Price;
    longTermRetentionGbMonth: Price;
    longTermRetrievalGb: Price;
    efoConsumerShardHour: Price;
    efoRetrievalGb: Price;
  };
  onDemand: {
    streamHour: Price;
    ingestGb: Price;
    retrievalGb: Price;
    efoRetrievalGb: Price;
    extendedRetentionGbMonth: Price;
    longTermRetentionGbMonth: Price;
  };
  onDemandAdvantage: {
    ingestGb: Price;
    retrievalGb: Price;
    efoRetrievalGb: Price;
    extendedRetentionGbMonth: Price;
    /** The account's minimum commitment: this much ingest and retrieval is billed at least. */
    minimumIngestBytesPerSecond: Price;
    minimumRetrievalBytesPerSecond: Price;
  };
  firehose: {
    /** Ingest tiers per month: up to `upToTb` TB at `perGb` (the last tier has no bound). */
    ingestTiers: { upToTb: number; perGb: Price }[];
    formatConversionGb: Price;
  };
  lambda: {
    requestsPerMillion: Price;
    gbSecondX86: Price;
  };
  analytics: {
    kpuHour: Price;
    runningStorageGbMonth: Price;
    storageGbPerKpu: Price;
  };
  /** Server-side encryption with a customer KMS key: user-supplied (the facts sheet has none). */
  kms?: {
    keyMonth: Price;
    requestsPer10k: Price;
  };
}

/** Hours in the month kinesim scales bills to (AWS's pricing pages use 730). */
export const HOURS_PER_MONTH = 730;

const INFRA: readonly SourceKey[] = ["INFRACOST"];

/** us-east-1, from the facts sheet's pricing section (2026-11). */
export const US_EAST_1: PriceTable = {
  region: "us-east-1",
  asOf: "2026-11",
  provisioned: {
    shardHour: { value: 0.015, unit: "$ per shard-hour", sources: INFRA },
    putPayloadUnitPerMillion: {
      value: 0.014,
      unit: "$ per million PUT payload units (a unit is a 25 KB chunk of a record)",
      sources: ["INFRACOST", "PRICE-KDS"],
    },
    extendedRetentionShardHour: {
      value: 0.02,
      unit: "$ per shard-hour of retention beyond 24 hours (up to 7 days)",
      sources: INFRA,
    },
    longTermRetentionGbMonth: { value: 0.023, unit: "$ per GB-month stored beyond 7 days", sources: INFRA },
    longTermRetrievalGb: { value: 0.021, unit: "$ per GB read of data older than 7 days", sources: INFRA },
    efoConsumerShardHour: {
      value: 0.015,
      unit: "$ per enhanced fan-out consumer-shard-hour",
      sources: INFRA,
    },
    efoRetrievalGb: { value: 0.013, unit: "$ per GB delivered by enhanced fan-out", sources: INFRA },
  },
  onDemand: {
    streamHour: { value: 0.04, unit: "$ per stream-hour", sources: INFRA },
    ingestGb: {
      value: 0.08,
      unit: "$ per GB written, each record rounded up to the next 1 KB",
      sources: ["INFRACOST", "PRICE-KDS"],
    },
    retrievalGb: { value: 0.04, unit: "$ per GB read by shared-throughput consumers", sources: INFRA },
    efoRetrievalGb: { value: 0.05, unit: "$ per GB delivered by enhanced fan-out", sources: INFRA },
    extendedRetentionGbMonth: { value: 0.1, unit: "$ per GB-month stored beyond 24 hours", sources: INFRA },
    longTermRetentionGbMonth: { value: 0.023, unit: "$ per GB-month stored beyond 7 days", sources: INFRA },
  },
  onDemandAdvantage: {
    ingestGb: {
      value: 0.032,
      unit: "$ per GB written (1 KB rounding)",
      sources: ["BLOG-ODA"],
      note: "derived: Standard's $0.08 less 60%",
    },
    retrievalGb: {
      value: 0.016,
      unit: "$ per GB read",
      sources: ["BLOG-ODA"],
      note: "derived: Standard's $0.04 less 60%",
    },
    efoRetrievalGb: {
      value: 0.016,
      unit: "$ per GB delivered by enhanced fan-out",
      sources: ["BLOG-ODA"],
      note: "derived: Standard's $0.05 less 68%",
    },
    extendedRetentionGbMonth: {
      value: 0.023,
      unit: "$ per GB-month stored beyond 24 hours",
      sources: ["BLOG-ODA"],
      note: "derived: Standard's $0.10 less 77%",
    },
    minimumIngestBytesPerSecond: {
      value: 25 * 1024 * 1024,
      unit: "bytes/s of ingest billed at least (account commitment, 24 h minimum)",
      sources: ["BLOG-ODA"],
    },
    minimumRetrievalBytesPerSecond: {
      value: 25 * 1024 * 1024,
      unit: "bytes/s of retrieval billed at least",
      sources: ["BLOG-ODA"],
    },
  },
  firehose: {
    ingestTiers: [
      {
        upToTb: 500,
        perGb: {
          value: 0.029,
          unit: "$ per GB ingested (records rounded up to 5 KB), first 500 TB a month",
          sources: ["PRICE-3P", "PRICE-FH"],
          note: "UNCONFIRMED from an official page; several third-party copies agree",
        },
      },
      {
        upToTb: 2000,
        perGb: {
          value: 0.025,
          unit: "$ per GB, next 1.5 PB a month",
          sources: ["PRICE-3P"],
          note: "UNCONFIRMED",
        },
      },
      {
        upToTb: Number.POSITIVE_INFINITY,
        perGb: {
          value: 0.02,
          unit: "$ per GB, above 2 PB a month",
          sources: ["PRICE-3P"],
          note: "UNCONFIRMED",
        },
      },
    ],
    formatConversionGb: {
      value: 0.018,
      unit: "$ per GB converted to Parquet or ORC (5 KB-rounded volume)",
      sources: ["PRICE-3P"],
      note: "third-party; the eu-west-2 Price List says $0.021",
    },
  },
  lambda: {
    requestsPerMillion: { value: 0.2, unit: "$ per million invocations", sources: INFRA },
    gbSecondX86: {
      value: 0.0000166667,
      unit: "$ per GB-second (x86, first 6 billion GB-s a month)",
      sources: INFRA,
    },
  },
  analytics: {
    kpuHour: {
      value: 0.11,
      unit: "$ per KPU-hour (Flink adds one orchestration KPU per application)",
      sources: ["PRICE-3P", "MSF-DG"],
      note: "third-party transcription of the pricing page; eu-west-2 Price List ≈ $0.127",
    },
    runningStorageGbMonth: {
      value: 0.1,
      unit: "$ per GB-month of running application storage",
      sources: ["PRICE-3P"],
    },
    storageGbPerKpu: { value: 50, unit: "GB of running storage per KPU (Flink)", sources: ["MSF-DG"] },
  },
};

/** The built-in price tables, by Region. */
export const PRICE_TABLES: Record<string, PriceTable> = { "us-east-1": US_EAST_1 };
