/** Cycle detection over a named graph, iterative so that long chains cannot overflow the stack. */

export interface Edge<E> {
  to: string;
  edge: E;
}

/** Calls `onCycle` once per back edge found, with the cycle as a path of names ending where it starts. */
export function findCycles<E>(graph: Map<string, Edge<E>[]>, onCycle: (cycle: string[], edge: E) => void): void {
  const colour = new Map<string, 1 | 2>();
  for (const root of graph.keys()) {
    if (colour.has(root)) continue;
    const path: string[] = [root];
    const positions: number[] = [0];
    const onPath = new Map<string, number>([[root, 0]]);
    colour.set(root, 1);
    while (path.length > 0) {
      const name = path[path.length - 1]!;
      const edges = graph.get(name) ?? [];
      const i = positions[positions.length - 1]!;
      if (i >= edges.length) {
        colour.set(name, 2);
        onPath.delete(name);
        path.pop();
        positions.pop();
        continue;
      }
      positions[positions.length - 1] = i + 1;
      const { to, edge } = edges[i]!;
      if (!graph.has(to)) continue;
      const c = colour.get(to);
      if (c === 1) {
        onCycle([...path.slice(onPath.get(to)), to], edge);
      } else if (c === undefined) {
        colour.set(to, 1);
        onPath.set(to, path.length);
        path.push(to);
        positions.push(0);
      }
    }
  }
}
