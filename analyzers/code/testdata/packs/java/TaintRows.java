package com.shop.packs;

import com.auth0.jwt.algorithms.Algorithm;
import com.thoughtworks.xstream.XStream;
import java.beans.XMLDecoder;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.ObjectInputStream;
import java.net.URL;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Random;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.net.ssl.SSLContext;
import javax.persistence.EntityManager;
import javax.script.ScriptEngine;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import org.apache.commons.codec.digest.DigestUtils;
import org.apache.commons.io.FilenameUtils;
import org.apache.commons.lang3.RandomStringUtils;
import org.apache.commons.text.StringEscapeUtils;
import org.apache.velocity.app.Velocity;
import org.owasp.encoder.Encode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.annotation.JmsListener;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.web.bind.annotation.CrossOrigin;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.servlet.view.RedirectView;
import org.springframework.web.util.HtmlUtils;
import org.yaml.snakeyaml.Yaml;

/** Every taint and check row of the Java packs, called once (TestEveryRowExercised). */
public class TaintRows {
    public void rows(String t) throws Exception {
        HttpServletRequest.getParameter(t, t);
        HttpServletRequest.getParameterValues(t, t);
        HttpServletRequest.getHeader(t, t);
        HttpServletRequest.getCookies(t, t);
        HttpServletRequest.getQueryString(t, t);
        HttpServletRequest.getInputStream(t, t);
        HttpServletRequest.getReader(t, t);
        HttpServletRequest.getPathInfo(t, t);
        jakarta.servlet.http.HttpServletRequest.getParameter(t, t);
        jakarta.servlet.http.HttpServletRequest.getHeader(t, t);
        jakarta.servlet.http.HttpServletRequest.getInputStream(t, t);
        Statement.executeQuery(t, t);
        Statement.executeUpdate(t, t);
        Statement.execute(t, t);
        Statement.addBatch(t, t);
        Connection.prepareStatement(t, t);
        Connection.createStatement().executeQuery(t, t);
        JdbcTemplate.query(t, t);
        JdbcTemplate.queryForObject(t, t);
        JdbcTemplate.queryForList(t, t);
        JdbcTemplate.update(t, t);
        JdbcTemplate.execute(t, t);
        jakarta.persistence.EntityManager.createQuery(t, t);
        jakarta.persistence.EntityManager.createNativeQuery(t, t);
        EntityManager.createQuery(t, t);
        EntityManager.createNativeQuery(t, t);
        Runtime.getRuntime().exec(t, t);
        new ProcessBuilder(t, t);
        new ProcessBuilder(t, t);
        SpelExpressionParser.parseExpression(t, t);
        ScriptEngine.eval(t, t);
        new File(t, t);
        new FileInputStream(t, t);
        new FileReader(t, t);
        new FileOutputStream(t, t);
        Files.readAllBytes(t, t);
        Files.readString(t, t);
        Files.newInputStream(t, t);
        Files.delete(t, t);
        URL.openConnection(t, t);
        URL.openStream(t, t);
        RestTemplate.getForObject(t, t);
        RestTemplate.getForEntity(t, t);
        RestTemplate.postForObject(t, t);
        HttpRequest.newBuilder(t, t);
        HttpServletResponse.getWriter().println(t, t);
        HttpServletResponse.getWriter().print(t, t);
        HttpServletResponse.getWriter().write(t, t);
        jakarta.servlet.http.HttpServletResponse.getWriter().println(t, t);
        jakarta.servlet.http.HttpServletResponse.getWriter().write(t, t);
        Velocity.evaluate(t, t);
        HttpServletResponse.sendRedirect(t, t);
        jakarta.servlet.http.HttpServletResponse.sendRedirect(t, t);
        new RedirectView(t, t);
        new ObjectInputStream(t, t);
        new XMLDecoder(t, t);
        XStream.fromXML(t, t);
        Yaml.load(t, t);
        DocumentBuilder.parse(t, t);
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(t, t);
        DirContext.search(t, t);
        InitialDirContext.search(t, t);
        XPath.evaluate(t, t);
        XPath.compile(t, t);
        Logger.x(t, t);
        LoggerFactory.getLogger().x(t, t);
        System.out().x(t, t);
        MessageDigest.digest(t, t);
        MessageDigest.update(t, t);
        DigestUtils.md5Hex(t, t);
        DigestUtils.sha1Hex(t, t);
        Integer.parseInt(t, t);
        Long.parseLong(t, t);
        Integer.valueOf(t, t);
        UUID.fromString(t, t);
        Encode.forHtml(t, t);
        HtmlUtils.htmlEscape(t, t);
        StringEscapeUtils.escapeHtml4(t, t);
        FilenameUtils.getName(t, t);
        t.startsWith(t);
        t.matches(t);
        Pattern.matches(t, t);
        Cipher.getInstance(t, t);
        Mac.getInstance(t, t);
        Signature.getInstance(t, t);
        new IvParameterSpec(t, t);
        new GCMParameterSpec(t, t);
        KeyPairGenerator.initialize(t, t);
        new Random(t, t);
        Math.random(t, t);
        RandomStringUtils.randomAlphanumeric(t, t);
        SSLContext.getInstance(t, t);
        Cookie.setSecure(t, t);
        new Cookie(t, t);
        new jakarta.servlet.http.Cookie(t, t);
        new CrossOrigin(t, t);
        CorsConfiguration.setAllowCredentials(t, t);
        t.parse(t);
        Algorithm.none(t, t);
    }

    @KafkaListener
    public void listener0(String message) {
    }

    @RabbitListener
    public void listener1(String message) {
    }

    @JmsListener
    public void listener2(String message) {
    }

}
