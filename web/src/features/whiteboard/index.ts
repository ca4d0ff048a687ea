import { lazy } from 'react';
import type * as Y from 'yjs';

/**
 * The whiteboard as the room sees it: a component that draws the shared `whiteboard`
 * map of the room's Y.Doc. Only this folder knows it is tldraw, so another
 * implementation could replace it behind the same props.
 */
export interface WhiteboardProps {
  /** The room document's `whiteboard` map (records by id). */
  map: Y.Map<unknown>;
  readOnly: boolean;
}

export const Whiteboard = lazy(() => import('./TldrawWhiteboard'));
