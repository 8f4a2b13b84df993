/** A sparse feature vector: parallel arrays of feature indexes and weights. */
export interface SparseVector {
  readonly indexes: Int32Array;
  readonly values: Float32Array;
}
