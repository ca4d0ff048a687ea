import { useEffect, useState, useSyncExternalStore } from 'react';
import { RoomConnection, type RoomSnapshot } from './connection';

const EMPTY = () => null;
const NOOP = () => () => {};

/** Opens the room's connection for as long as the component is mounted. */
export function useRoom(roomId: string | null, token: string | null, onAuthRefused: (m: string) => void) {
  const [connection, setConnection] = useState<RoomConnection | null>(null);
  useEffect(() => {
    if (!roomId || !token) return;
    const c = new RoomConnection(roomId, token, onAuthRefused);
    setConnection(c);
    return () => {
      c.close();
      setConnection(null);
    };
    // onAuthRefused is a stable module-level function at every call site.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [roomId, token]);
  const snapshot: RoomSnapshot | null = useSyncExternalStore(
    connection?.subscribe ?? NOOP,
    connection?.getSnapshot ?? EMPTY,
  );
  return { connection, snapshot };
}
