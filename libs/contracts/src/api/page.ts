/** Keyset pagination shared by every list of the service interfaces. */
export interface PageRequest {
  /** At most this many items (each method documents its default and maximum). */
  pageSize?: number;
  /** Opaque token from the previous page's `nextPageToken`. */
  pageToken?: string;
}

export interface Page<T> {
  items: T[];
  /** Null on the last page. Opaque: encodes a keyset position, never an offset. */
  nextPageToken: string | null;
}
