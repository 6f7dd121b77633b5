// Mocha set-up for every test file: polyfills, and a clear message when PostgreSQL 15 is missing.
import '../polyfills.js';
import { findPgBinaries } from '../providers/local/pg-binaries.js';
import { removeTempDirs } from './temp-dirs.js';

export const mochaHooks = {
  beforeAll(): void {
    try {
      findPgBinaries(15);
    } catch (error) {
      throw new Error(
        `pgdrill's tests run real PostgreSQL 15 servers and none was found.\n${(error as Error).message}\n` +
          'Install them with: sudo apt-get install postgresql-15 (or run .ci/run, which installs everything the tests need).',
      );
    }
  },
  afterAll(): void {
    removeTempDirs();
  },
};
