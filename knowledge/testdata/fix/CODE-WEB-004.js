const express = require('express');
const jwt = require('jsonwebtoken');

const app = express();

app.get('/me', (req, res) => {
  res.json(jwt.verify(req.headers.authorization, process.env.JWT_KEY));
});

app.listen(3000);
