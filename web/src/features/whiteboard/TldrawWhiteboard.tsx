import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import { useEffect, useState } from 'react';
import { createTLStore, defaultBindingUtils, defaultShapeUtils, Tldraw } from 'tldraw';
import 'tldraw/tldraw.css';
import type { WhiteboardProps } from '.';
import { bindStoreToMap } from './yjsBinding';

// Fonts, icons and translations are bundled by Vite from @tldraw/assets, so the
// whiteboard never fetches them from tldraw's CDN.
const assetUrls = getAssetUrlsByImport();
const licenseKey = import.meta.env.VITE_TLDRAW_LICENSE_KEY as string | undefined;

/** tldraw 3.15 on the room's shared map. */
export default function TldrawWhiteboard({ map, readOnly }: WhiteboardProps) {
  const [store] = useState(() => createTLStore({ shapeUtils: defaultShapeUtils, bindingUtils: defaultBindingUtils }));
  useEffect(() => bindStoreToMap(store, map, readOnly), [store, map, readOnly]);
  return (
    <div className="whiteboard" data-testid="whiteboard">
      <Tldraw
        store={store}
        assetUrls={assetUrls}
        licenseKey={licenseKey || undefined}
        onMount={(editor) => {
          editor.updateInstanceState({ isReadonly: readOnly });
          // The app is dark; so is its whiteboard.
          editor.user.updateUserPreferences({ colorScheme: 'dark' });
        }}
      />
    </div>
  );
}
