/**
 * Many short strings kept as the bytes of one buffer, outside the JavaScript
 * heap, and made into strings again only when asked for: the binder holds its
 * patients' names, record numbers and birth dates for the whole print, 14 MB
 * of strings at 100,000 patients (docs/PERFORMANCE.md).
 *
 * UTF-16 code units, not UTF-8: any string comes back exactly, a lone
 * surrogate included, at two bytes a character.
 */
export class PackedStrings {
  private constructor(private readonly units: Buffer, private readonly ends: Uint32Array) {}

  static of(strings: readonly string[]): PackedStrings {
    const ends = new Uint32Array(strings.length + 1);
    for (let i = 0; i < strings.length; i++) ends[i + 1] = ends[i]! + 2 * strings[i]!.length;
    const units = Buffer.allocUnsafeSlow(ends[strings.length]!);
    strings.forEach((s, i) => units.write(s, ends[i]!, 'utf16le'));
    return new PackedStrings(units, ends);
  }

  get length(): number {
    return this.ends.length - 1;
  }

  /** The i-th string, as given. */
  at(i: number): string {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`string ${i} of ${this.length}`);
    return this.units.toString('utf16le', this.ends[i]!, this.ends[i + 1]!);
  }
}
