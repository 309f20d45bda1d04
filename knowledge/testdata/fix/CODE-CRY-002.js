const crypto = require('crypto');
const express = require('express');

const app = express();

function sign(key, body) {
  return crypto.createHmac('sha1', key).update(body).digest('hex');
}

app.listen(3000);
module.exports = { sign };
