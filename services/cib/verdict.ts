// How crm_verify rates a CIB, as the pipeline compares ratings and a publication carries its source's.
export type VerdictLevel = 'clean' | 'warnings' | 'errors';
export const VERDICT_RANK: Record<VerdictLevel, number> = { clean: 0, warnings: 1, errors: 2 };
