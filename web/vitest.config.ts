import { defineConfig } from 'vitest/config';

export default defineConfig({
  define: { __PYODIDE_VERSION__: JSON.stringify('test') },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
