// TEMPORARY placeholder while the screen is written (replaced before commit).
import { html } from '../vendor/lit-html/lit-html.js';
export default { path: '/account-edit', title: 'account-edit', capability: 'accounts', create: () => ({ view: () => html`<h1>account-edit</h1>` }) };
