export const health = 1;
