const crypto = require('crypto');
const jwt = require('jsonwebtoken');
const https = require('https');

const SLACK_TOKEN = 'xoxb-2048194729-1207364529103-Kq3vTz8YbW2nLm5RpX4sHc9D'; // vuln "CODE-SEC-001"
const sessionSecret = 'tQ8#vL2!zX7mR4pK9wB'; // vuln "CODE-SEC-002"
const cookieName = 'session_id'; // ok "CODE-SEC-002"

function hashPassword(password) {
  return crypto.createHash('md5').update(password).digest('hex'); // vuln "CODE-CRY-001"
}

function fingerprint(body) {
  return crypto.createHash('sha1').update(body).digest('hex'); // ok "CODE-CRY-001"
}

function audit(user, password) {
  console.log('login', user, password); // vuln "CODE-SEC-003"
  console.log('login', user); // ok "CODE-SEC-003"
}

function sign(key, body) {
  const weak = crypto.createHmac('sha1', key).update(body).digest('hex'); // vuln "CODE-CRY-002"
  const strong = crypto.createHmac('sha256', key).update(body).digest('hex'); // ok "CODE-CRY-002"
  return weak + strong;
}

function encrypt(key, data) {
  const des = crypto.createCipheriv('des-ede3-cbc', key, crypto.randomBytes(8)); // vuln "CODE-CRY-003"
  const fixed = crypto.createCipheriv('aes-256-cbc', key, 'a-constant-iv-16'); // vuln "CODE-CRY-004"
  const good = crypto.createCipheriv('aes-256-gcm', key, crypto.randomBytes(12)); // ok "CODE-CRY-003" ok "CODE-CRY-004"
  return [des, fixed, good].map((c) => c.update(data));
}

function resetToken() {
  const token = Math.random().toString(36).slice(2); // vuln "CODE-CRY-005"
  return token;
}

function keys() {
  const small = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }); // vuln "CODE-CRY-008"
  const good = crypto.generateKeyPairSync('rsa', { modulusLength: 3072 }); // ok "CODE-CRY-008"
  return [small, good];
}

const agent = new https.Agent({ rejectUnauthorized: false }); // vuln "CODE-CRY-006"
const strict = new https.Agent({ rejectUnauthorized: true, minVersion: 'TLSv1' }); // ok "CODE-CRY-006" vuln "CODE-CRY-007"

function setSession(res, id) {
  res.cookie('session', id); // vuln "CODE-WEB-001"
  res.cookie('session2', id, { secure: true, httpOnly: true }); // ok "CODE-WEB-001"
}

function verify(token) {
  const loose = jwt.verify(token, process.env.JWT_KEY); // vuln "CODE-WEB-004"
  const pinned = jwt.verify(token, process.env.JWT_KEY, { algorithms: ['RS256'] }); // ok "CODE-WEB-004"
  return loose || pinned;
}

module.exports = { hashPassword, fingerprint, audit, sign, encrypt, resetToken, keys, agent, strict, setSession, verify };
