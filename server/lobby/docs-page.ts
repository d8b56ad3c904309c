/**
 * GET /docs: a small self-contained page that fetches /openapi.json and lists each operation, its
 * parameters, body and answers, and the component schemas. Deliberately not Swagger UI or Redoc:
 * those load from a CDN (or ship megabytes), and the lobby serves no third-party script. It is a
 * plain reader of the document, not an interactive console.
 */

/** The HTML of the docs page; everything it shows comes from /openapi.json at view time. */
export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Tickforge lobby API</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h2 { border-bottom: 1px solid #ccc; } code, pre { background: #f4f4f4; padding: 0 .2em; }
pre { padding: .5em; overflow-x: auto; } .method { font-weight: bold; text-transform: uppercase; }
</style>
</head>
<body>
<h1 id="title">Tickforge lobby API</h1>
<p>Rendered from <a href="/openapi.json">/openapi.json</a>.</p>
<div id="operations"></div>
<h2>Schemas</h2>
<div id="schemas"></div>
<script>
const el = (tag, text) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; };
const json = (value) => el('pre', JSON.stringify(value, null, 2));
fetch('/openapi.json').then((r) => r.json()).then((doc) => {
  document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
  const ops = document.getElementById('operations');
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const h = el('h2'); h.append(el('span', method + ' '), el('code', path)); h.firstChild.className = 'method';
      ops.append(h, el('p', op.summary + (op.security ? ' (Bearer token required)' : '')));
      if (op.parameters) { ops.append(el('h3', 'Parameters'), json(op.parameters)); }
      if (op.requestBody) { ops.append(el('h3', 'Request body'), json(op.requestBody.content)); }
      const list = el('ul');
      for (const [status, res] of Object.entries(op.responses)) list.append(el('li', status + ': ' + res.description));
      ops.append(el('h3', 'Responses'), list);
    }
  }
  const schemas = document.getElementById('schemas');
  for (const [name, schema] of Object.entries(doc.components.schemas)) schemas.append(el('h3', name), json(schema));
}).catch((error) => { document.body.append(el('p', 'Could not load /openapi.json: ' + error)); });
</script>
</body>
</html>
`;
