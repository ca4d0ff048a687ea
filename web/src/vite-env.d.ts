/// <reference types="vite/client" />

/** The pyodide package's version, baked in by vite.config.ts. */
declare const __PYODIDE_VERSION__: string;

interface ImportMetaEnv {
  /** Optional tldraw licence key (hides the "Made with tldraw" watermark). */
  readonly VITE_TLDRAW_LICENSE_KEY?: string;
}
