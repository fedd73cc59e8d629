import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real PDFs are rendered and read back; a slow CI machine needs room.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
