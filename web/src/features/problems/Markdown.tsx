import DOMPurify from 'dompurify';
import { marked } from 'marked';
import { useMemo } from 'react';

/** A problem statement: Markdown rendered to HTML, then sanitised (no scripts, no handlers). */
export function Markdown({ source }: { source: string }) {
  const html = useMemo(() => DOMPurify.sanitize(marked.parse(source, { async: false }) as string), [source]);
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
