const express = require('express');

const app = express();

app.post('/login', (req, res) => {
  res.cookie('session', 'x');
  res.cookie('theme', 'dark', { secure: false });
  res.sendStatus(204);
});

app.listen(3000);
