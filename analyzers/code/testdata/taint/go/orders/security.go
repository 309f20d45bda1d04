package main

import (
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"log"
	mrand "math/rand"
	"net/http"
	"strconv"

	"github.com/golang-jwt/jwt/v5"
)

const githubToken = "ghp_4f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a" // vuln "CODE-SEC-001"

var signingKey = "Jq9!vR2#kX7mW4zT8pL" // vuln "CODE-SEC-002"

var apiKeyHeader = "X-Api-Key" // ok "CODE-SEC-002"

func hashPassword(password string) string {
	sum := md5.Sum([]byte(password)) // vuln "CODE-CRY-001"
	return hex.EncodeToString(sum[:])
}

func checksum(body []byte) string {
	sum := sha1.Sum(body) // ok "CODE-CRY-001"
	return hex.EncodeToString(sum[:])
}

func logLogin(user, password string) {
	log.Printf("login %s password %s", user, password) // vuln "CODE-SEC-003"
	log.Printf("login %s", user)                       // ok "CODE-SEC-003"
}

func sign(key, body []byte) []byte {
	weak := hmac.New(sha1.New, key) // vuln "CODE-CRY-002"
	weak.Write(body)
	strong := hmac.New(sha256.New, key) // ok "CODE-CRY-002"
	strong.Write(body)
	return append(weak.Sum(nil), strong.Sum(nil)...)
}

func encrypt(key, data []byte) []byte {
	block, _ := des.NewCipher(key) // vuln "CODE-CRY-003"
	iv := []byte("12345678")
	mode := cipher.NewCBCEncrypter(block, iv) // vuln "CODE-CRY-004"
	fresh := make([]byte, block.BlockSize())
	rand.Read(fresh)
	other := cipher.NewCBCEncrypter(block, fresh) // ok "CODE-CRY-004"
	out := make([]byte, len(data))
	mode.CryptBlocks(out, data)
	_ = other
	return out
}

func newSessionID() string {
	sessionID := strconv.FormatInt(mrand.Int63(), 16) // vuln "CODE-CRY-005"
	return sessionID
}

func backoff() int {
	delay := mrand.Intn(100) // ok "CODE-CRY-005"
	return delay
}

func keys() (*rsa.PrivateKey, *rsa.PrivateKey) {
	small, _ := rsa.GenerateKey(rand.Reader, 1024) // vuln "CODE-CRY-008"
	good, _ := rsa.GenerateKey(rand.Reader, 3072)  // ok "CODE-CRY-008"
	return small, good
}

func clients() (*http.Client, *http.Client) {
	insecure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true,             // vuln "CODE-CRY-006"
		MinVersion:         tls.VersionTLS10, // vuln "CODE-CRY-007"
	}}}
	secure := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: false,            // ok "CODE-CRY-006"
		MinVersion:         tls.VersionTLS12, // ok "CODE-CRY-007"
	}}}
	return insecure, secure
}

func setSession(w http.ResponseWriter, id string) {
	http.SetCookie(w, &http.Cookie{Name: "session", Value: id})                                // vuln "CODE-WEB-001"
	http.SetCookie(w, &http.Cookie{Name: "session2", Value: id, Secure: true, HttpOnly: true}) // ok "CODE-WEB-001"
}

func parseToken(raw string, key []byte) (*jwt.Token, *jwt.Token) {
	unpinned, _ := jwt.Parse(raw, func(t *jwt.Token) (any, error) { return key, nil }) // vuln "CODE-WEB-004"
	pinned, _ := jwt.Parse(raw, func(t *jwt.Token) (any, error) {                      // ok "CODE-WEB-004"
		if _, ok := t.Method.(*jwt.SigningMethodHMAC); !ok {
			return nil, jwt.ErrSignatureInvalid
		}
		return key, nil
	})
	return unpinned, pinned
}
