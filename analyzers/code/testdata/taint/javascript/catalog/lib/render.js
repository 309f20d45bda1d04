const escapeHtml = require('escape-html');

function renderCard(id, note) {
  const safe = `<div class="card" data-id="${escapeHtml(id)}">`;
  return safe + `<p>${note}</p></div>`;
}

module.exports = { renderCard };
