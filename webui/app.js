// Placeholder console: shows whether the service is ready, using the generated error
// registry for the message, until the sign-in screen arrives.
import { errorMessage } from './js/errors.js';

async function showReadiness() {
  const out = document.getElementById('ready');
  try {
    const res = await fetch('/readyz', { headers: { Accept: 'application/json' } });
    const body = await res.json();
    out.textContent = res.ok
      ? `利用できます（スキーマ版数 ${body.schema_version}）`
      : errorMessage(body.error && body.error.code);
  } catch {
    out.textContent = errorMessage('server.unavailable');
  }
}

showReadiness();
