const https = require('https');
const express = require('express');

const app = express();
const agent = new https.Agent({ rejectUnauthorized: false });

app.listen(3000);
module.exports = { agent };
