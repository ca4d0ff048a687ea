import Editor from '@monaco-editor/react';
import { useEffect, useState } from 'react';
import { MonacoBinding } from 'y-monaco';
import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { LANGUAGES } from '../../lib/format';
import { mountCursorStyles } from './cursors';
// Imported for its effect: Monaco and its workers from our bundle, never a CDN.
import './monacoSetup';
import type * as monaco from 'monaco-editor';

/** Monaco bound to the room's shared text, with everyone's cursors. */
export default function CodeEditor(props: { text: Y.Text; awareness: Awareness; language: string; readOnly: boolean }) {
  const [editor, setEditor] = useState<monaco.editor.IStandaloneCodeEditor | null>(null);
  const { text, awareness } = props;

  useEffect(() => {
    const model = editor?.getModel();
    if (!editor || !model) return;
    const binding = new MonacoBinding(text, model, new Set([editor]), awareness);
    const unmountStyles = mountCursorStyles(awareness);
    return () => {
      binding.destroy();
      unmountStyles();
    };
  }, [editor, text, awareness]);

  const language = LANGUAGES.find((l) => l.id === props.language)?.monaco ?? 'plaintext';
  return (
    <div className="editor" data-testid="code-editor">
      <Editor
        theme="devinterview"
        language={language}
        defaultValue=""
        onMount={(e) => setEditor(e)}
        loading={<div className="page-loading">Loading the editor…</div>}
        options={{
          readOnly: props.readOnly,
          minimap: { enabled: false },
          fontSize: 14,
          tabSize: 4,
          automaticLayout: true,
          scrollBeyondLastLine: false,
          renderWhitespace: 'selection',
          padding: { top: 12 },
        }}
      />
    </div>
  );
}
