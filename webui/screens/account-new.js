// TEMPORARY placeholder while the screen is written (replaced before commit).
import { html } from '../vendor/lit-html/lit-html.js';
export default { path: '/account-new', title: 'account-new', capability: 'accounts', create: () => ({ view: () => html`<h1>account-new</h1>` }) };
