// TEMPORARY placeholder while the screen is written (replaced before commit).
import { html } from '../vendor/lit-html/lit-html.js';
export default { path: '/audit', title: 'audit', capability: 'accounts', create: () => ({ view: () => html`<h1>audit</h1>` }) };
