// The shard iterator types AWS defines, alone in a module so that the CLI's --help can list them
// without loading the protocol or the model.

/** GetShardIterator's ShardIteratorType values. */
export const ITERATOR_TYPES = [
  "TRIM_HORIZON",
  "LATEST",
  "AT_SEQUENCE_NUMBER",
  "AFTER_SEQUENCE_NUMBER",
  "AT_TIMESTAMP",
] as const;

/** One of ITERATOR_TYPES. */
export type IteratorType = (typeof ITERATOR_TYPES)[number];
