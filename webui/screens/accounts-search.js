// TEMPORARY placeholder while the screen is written (replaced before commit).
import { html } from '../vendor/lit-html/lit-html.js';
export default { path: '/accounts-search', title: 'accounts-search', capability: 'accounts', create: () => ({ view: () => html`<h1>accounts-search</h1>` }) };
