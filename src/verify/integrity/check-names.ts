// The names of the integrity passes' checks, apart from the passes themselves: incidents name the checks meant to
// find their damage without loading the verification code.
export const VALUES_CHECK = 'integrity: TOAST chunks and every value that can fail to decode';
export const READ_CHECK = 'integrity: every table read end to end';
export const AMCHECK_CHECK = 'integrity: amcheck on every B-tree index (heapallindexed)';
export const HEAPAM_CHECK = 'integrity: verify_heapam on every table';
export const CHECKSUMS_CHECK = 'integrity: pg_checksums --check (server stopped)';
export const PAGES_CHECK = 'integrity: compressed values and timestamps read from the stopped copy\'s pages';
