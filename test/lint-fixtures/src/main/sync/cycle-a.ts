import type { B } from './cycle-b'; // no-circular (type-only both ways)
export type A = { b?: B };
