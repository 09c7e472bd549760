// The reference order of nx's sorts, independent of nx: JavaScript's stable
// Array.prototype.sort over the indices with an explicit comparator.

/**
 * `referenceOrder(values, descending)` is the stable order of `values` as
 * indices: NaN above every number (last ascending, first descending), `-0`
 * equal to `0`, equal values in index order; `descending` reverses the
 * numbers only.
 */
export function referenceOrder(values: readonly number[], descending: boolean): number[] {
  const rank = (v: number): number => (Number.isNaN(v) ? (descending ? -Infinity : Infinity) : descending ? -v : v);
  const nanLast = (a: number, b: number): number => {
    const ra = rank(values[a] as number);
    const rb = rank(values[b] as number);
    if (ra === rb) {
      const na = Number.isNaN(values[a] as number);
      const nb = Number.isNaN(values[b] as number);
      // +Infinity (ascending) or -Infinity (descending) must still come before the NaNs that share its rank.
      if (na !== nb) return (na ? 1 : -1) * (descending ? -1 : 1);
      return 0;
    }
    return ra < rb ? -1 : 1;
  };
  return values.map((_, i) => i).sort(nanLast);
}
