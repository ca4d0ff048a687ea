// Renders /api/openapi.json as a list of operations grouped by tag. Plain DOM, no
// dependencies, so the page works on an offline server.
(async function () {
  const root = document.getElementById('root');
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    for (const c of children) node.append(c);
    return node;
  };
  let spec;
  try {
    spec = await (await fetch('/api/openapi.json')).json();
  } catch (e) {
    root.replaceChildren(el('p', {}, 'Could not load the API document: ' + e));
    return;
  }
  const resolve = (schema) => {
    if (schema && schema.$ref) return schema.$ref.split('/').pop();
    if (schema && schema.type === 'array') return resolve(schema.items) + '[]';
    return schema ? schema.type || 'object' : '';
  };
  const byTag = new Map();
  for (const [path, ops] of Object.entries(spec.paths || {})) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = (op.tags && op.tags[0]) || 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method, op });
    }
  }
  root.replaceChildren();
  if (spec.info && spec.info.description) root.append(el('p', { class: 'muted' }, spec.info.description));
  for (const [tag, ops] of byTag) {
    root.append(el('h2', {}, tag));
    for (const { path, method, op } of ops) {
      const summary = el('summary', {},
        el('span', { class: 'method ' + method }, method),
        el('code', {}, path),
        el('span', { class: 'muted' }, op.summary || op.description || ''));
      if (op.security) summary.append(el('span', { class: 'lock' }, 'bearer token'));
      const body = el('div', { class: 'body' });
      if (op.description) body.append(el('p', {}, op.description));
      if (op.parameters && op.parameters.length) {
        const table = el('table');
        for (const p of op.parameters) {
          table.append(el('tr', {}, el('td', {}, el('code', {}, p.name)), el('td', { class: 'muted' }, p.in),
            el('td', {}, p.description || '')));
        }
        body.append(el('h4', {}, 'Parameters'), table);
      }
      const reqSchema = op.requestBody && op.requestBody.content && op.requestBody.content['application/json'];
      if (reqSchema) body.append(el('h4', {}, 'Request body'), el('code', {}, resolve(reqSchema.schema)));
      const table = el('table');
      for (const [status, resp] of Object.entries(op.responses || {})) {
        const json = resp.content && resp.content['application/json'];
        table.append(el('tr', {}, el('td', {}, el('code', {}, status)), el('td', {}, resp.description || ''),
          el('td', { class: 'muted' }, json ? resolve(json.schema) : '')));
      }
      body.append(el('h4', {}, 'Responses'), table);
      root.append(el('details', {}, summary, body));
    }
  }
  const schemas = (spec.components && spec.components.schemas) || {};
  root.append(el('h2', {}, 'schemas'));
  for (const [name, schema] of Object.entries(schemas)) {
    root.append(el('details', {}, el('summary', {}, el('code', {}, name)),
      el('div', { class: 'body' }, el('pre', {}, JSON.stringify(schema, null, 2)))));
  }
})();
