import type { TLRecord, TLStore } from 'tldraw';
import type * as Y from 'yjs';

/** Puts what the shared map already holds into a fresh store (before the editor mounts). */
export function loadFromMap(store: TLStore, map: Y.Map<unknown>) {
  const records = [...map.values()] as TLRecord[];
  if (records.length > 0) store.mergeRemoteChanges(() => store.put(records));
}

/**
 * Keeps a tldraw store and the room's `whiteboard` map in step: the user's own
 * changes go into the map in one Yjs transaction per store change; other people's
 * arrive as remote changes, which tldraw keeps out of this user's undo history.
 * Returns the function that stops it.
 */
export function bindStoreToMap(store: TLStore, map: Y.Map<unknown>, readOnly: boolean): () => void {
  const doc = map.doc;
  if (!doc) throw new Error('the whiteboard map must belong to a document');

  if (map.size === 0 && !readOnly) {
    // The first person here publishes the document and page records.
    doc.transact(() => {
      for (const record of Object.values(store.serialize('document'))) map.set(record.id, record);
    });
  } else {
    loadFromMap(store, map);
  }

  const unlisten = store.listen(
    ({ changes }) => {
      if (readOnly) return;
      doc.transact(() => {
        for (const record of Object.values(changes.added)) map.set(record.id, record);
        for (const [, record] of Object.values(changes.updated)) map.set(record.id, record);
        for (const record of Object.values(changes.removed)) map.delete(record.id);
      });
    },
    { source: 'user', scope: 'document' },
  );

  const observer = (event: Y.YMapEvent<unknown>) => {
    if (event.transaction.local) return;
    const put: TLRecord[] = [];
    const removed: TLRecord['id'][] = [];
    event.changes.keys.forEach((change, id) => {
      if (change.action === 'delete') removed.push(id as TLRecord['id']);
      else put.push(map.get(id) as TLRecord);
    });
    store.mergeRemoteChanges(() => {
      if (removed.length > 0) store.remove(removed.filter((id) => store.has(id)));
      if (put.length > 0) store.put(put);
    });
  };
  map.observe(observer);

  return () => {
    unlisten();
    map.unobserve(observer);
  };
}
