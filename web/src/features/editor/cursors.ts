import type { Awareness } from 'y-protocols/awareness';

interface RemoteUser {
  name?: string;
  colour?: string;
}

const SAFE_COLOUR = /^#[0-9a-fA-F]{3,8}$/;

/** CSS that colours and labels each remote cursor y-monaco draws (classes carry the client id). */
export function cursorCss(states: Map<number, Record<string, unknown>>, self: number): string {
  const rules: string[] = [];
  states.forEach((state, clientId) => {
    if (clientId === self || !Number.isInteger(clientId)) return;
    const user = (state.user ?? {}) as RemoteUser;
    const colour = typeof user.colour === 'string' && SAFE_COLOUR.test(user.colour) ? user.colour : '#f2cc60';
    // The name goes into a CSS string: escape what could end it.
    const name = JSON.stringify(String(user.name ?? 'Guest').slice(0, 40)).replace(/[<>]/g, '');
    rules.push(
      `.yRemoteSelection-${clientId}{background-color:${colour}40}`,
      `.yRemoteSelectionHead-${clientId}{border-left:2px solid ${colour};position:relative}`,
      `.yRemoteSelectionHead-${clientId}::after{content:${name};position:absolute;top:-1.35em;left:-2px;` +
        `background:${colour};color:#0d1117;font:600 11px/1.4 system-ui,sans-serif;padding:0 4px;` +
        `border-radius:3px 3px 3px 0;white-space:nowrap;pointer-events:none;z-index:10}`,
    );
  });
  return rules.join('\n');
}

/** Keeps a <style> element in step with the awareness states; returns the cleanup. */
export function mountCursorStyles(awareness: Awareness): () => void {
  const style = document.createElement('style');
  style.dataset.role = 'remote-cursors';
  document.head.appendChild(style);
  const render = () => {
    style.textContent = cursorCss(awareness.getStates() as Map<number, Record<string, unknown>>, awareness.clientID);
  };
  awareness.on('change', render);
  render();
  return () => {
    awareness.off('change', render);
    style.remove();
  };
}
