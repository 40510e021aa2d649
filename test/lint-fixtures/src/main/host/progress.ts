export const progress = 1;
