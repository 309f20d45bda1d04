package com.shop.billing;

import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.util.Random;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.net.ssl.SSLContext;
import javax.servlet.http.Cookie;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.web.bind.annotation.CrossOrigin;

public class Security {
    private static final Logger log = LoggerFactory.getLogger(Security.class);
    private static final String AWS_KEY = "AKIAIMNOJVGFDXXXE4OA"; // want "CODE-SEC-001"
    private static final String clientSecret = "pR7!xQ2#mV9zL4wK8tB"; // want "CODE-SEC-002"

    public String hash(String password) throws Exception {
        MessageDigest md = MessageDigest.getInstance("MD5");
        byte[] digest = md.digest(password.getBytes()); // want "CODE-CRY-001"
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.digest(password.getBytes());
        log.info("hashed the password of a user");
        log.debug("password was {}", password); // want "CODE-SEC-003"
        return new String(digest);
    }

    public void crypto() throws Exception {
        Cipher des = Cipher.getInstance("DES/CBC/PKCS5Padding"); // want "CODE-CRY-003"
        Cipher ecb = Cipher.getInstance("AES"); // want "CODE-CRY-003"
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        Mac mac = Mac.getInstance("HmacSHA1"); // want "CODE-CRY-002"
        Mac good = Mac.getInstance("HmacSHA256");
        IvParameterSpec iv = new IvParameterSpec("0123456789abcdef".getBytes()); // want "CODE-CRY-004"
        KeyPairGenerator kpg = KeyPairGenerator.getInstance("RSA");
        kpg.initialize(1024); // want "CODE-CRY-008"
        SSLContext tls = SSLContext.getInstance("TLSv1"); // want "CODE-CRY-007"
        SSLContext modern = SSLContext.getInstance("TLSv1.3");
    }

    public String resetToken() {
        String token = Long.toHexString(new Random().nextLong()); // want "CODE-CRY-005"
        return token;
    }

    public Cookie session(String id) {
        Cookie cookie = new Cookie("session", id);
        cookie.setSecure(false); // want "CODE-WEB-001"
        return cookie;
    }

    public void configure(HttpSecurity http) throws Exception {
        http.csrf().disable(); // want "CODE-WEB-003"
    }
}
