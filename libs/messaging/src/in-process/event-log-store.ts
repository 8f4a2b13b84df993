/** A record as the in-process log keeps it. Offsets are decimal strings, increasing per partition. */
export interface StoredRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>> | null;
}

export type AppendRecord = Omit<StoredRecord, 'offset'>;

/**
 * Where the in-process bus keeps its log and its consumer groups' offsets. The PostgreSQL store
 * makes the embedded mode durable (a publish resolves once the rows are committed); the memory
 * store is for unit tests.
 */
export interface EventLogStore {
  init(): Promise<void>;
  /** Durable when it resolves; records of one call keep their order within a partition. */
  append(records: readonly AppendRecord[]): Promise<void>;
  /** Records of one partition after `afterOffset` (exclusive; null: from the start), oldest first. */
  read(topic: string, partition: number, afterOffset: string | null, limit: number): Promise<StoredRecord[]>;
  /** The offset of the newest record in the whole log (offsets increase across it), or null. */
  lastOffset(): Promise<string | null>;
  /** The last offset the group has processed on that partition, or null. */
  committed(groupId: string, topic: string, partition: number): Promise<string | null>;
  commit(groupId: string, topic: string, partition: number, offset: string): Promise<void>;
  /**
   * Deletes up to `limit` records, oldest first, that are older than the retention and that no
   * group still has to process; returns how many.
   */
  prune(retentionMs: number, limit: number): Promise<number>;
  /**
   * Forgets the positions of groups that have not been seen for `idleMs` (as Kafka expires an
   * empty group's offsets): a group that is gone must not hold back pruning forever. The groups in
   * `liveGroups` are seen now.
   */
  forgetIdleGroups(liveGroups: readonly string[], idleMs: number): Promise<number>;
  /**
   * For every stored position (group, topic, partition): how many records of that partition come
   * after it. Physical names, as stored.
   */
  lag(): Promise<{ group: string; topic: string; partition: number; lag: number }[]>;
  /** The groups that have a stored position. */
  groups(): Promise<string[]>;
  checkHealth(): Promise<void>;
  close(): Promise<void>;
}
