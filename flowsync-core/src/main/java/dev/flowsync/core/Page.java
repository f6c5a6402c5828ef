package dev.flowsync.core;

import java.util.List;

/**
 * One page of a cursor-paginated listing.
 *
 * @param items the items of this page, in the listing's order; never null
 * @param nextCursor the opaque cursor for the next page, or null when this is the last page
 */
public record Page<T>(List<T> items, String nextCursor) {
  /**
   * Copies the items.
   *
   * @throws NullPointerException if {@code items} is null
   */
  public Page {
    items = List.copyOf(items);
  }

  /** Whether a further page exists. */
  public boolean hasNext() {
    return nextCursor != null;
  }
}
