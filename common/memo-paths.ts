/**
 * Memoised path layouts. A daemon pass asks for the same volume's paths many times (observe, plan,
 * status: 100 volumes, thousands of joins a pass); a layout is a pure function of its arguments, so
 * each is built once and then shared, frozen so that no caller can change another's copy. The memo
 * is bounded: past `limit` entries it starts again empty.
 */
export function memoPaths<T extends object>(build: (dataDir: string, vol: string) => T, limit = 4096): (dataDir: string, vol: string) => Readonly<T> {
  const memo = new Map<string, Readonly<T>>();
  return (dataDir, vol) => {
    const key = `${dataDir}\0${vol}`;
    let paths = memo.get(key);
    if (!paths) {
      paths = Object.freeze(build(dataDir, vol));
      if (memo.size >= limit) memo.clear();
      memo.set(key, paths);
    }
    return paths;
  };
}
