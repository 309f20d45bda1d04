package com.shop.billing;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.sql.Connection;
import java.sql.Statement;

import javax.naming.directory.DirContext;
import javax.servlet.annotation.WebServlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.sql.DataSource;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathFactory;

import org.owasp.encoder.Encode;

@WebServlet("/legacy")
public class LegacyServlet extends HttpServlet {
    private DataSource dataSource;
    private DirContext directory;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String account = req.getParameter("account");
        resp.getWriter().println("<p>" + account + "</p>"); // vuln "CODE-INJ-005"
        resp.getWriter().println("<p>" + Encode.forHtml(account) + "</p>"); // ok "CODE-INJ-005"
        try (Connection conn = dataSource.getConnection()) {
            Statement stmt = conn.createStatement();
            stmt.executeQuery("SELECT * FROM accounts WHERE id = '" + account + "'"); // vuln "CODE-INJ-001"
        } catch (Exception e) {
            throw new IOException(e);
        }
        lookup(account);
        String next = req.getParameter("next");
        resp.sendRedirect(next); // vuln "CODE-INJ-009"
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        try {
            ObjectInputStream in = new ObjectInputStream(req.getInputStream()); // vuln "CODE-INJ-010"
            Object o = in.readObject();
            DocumentBuilder builder = DocumentBuilderFactory.newInstance().newDocumentBuilder();
            builder.parse(req.getInputStream()); // vuln "CODE-INJ-011"
            XPath xpath = XPathFactory.newInstance().newXPath();
            xpath.evaluate("//account[@id='" + req.getParameter("id") + "']", o); // vuln "CODE-INJ-008"
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    private void lookup(String account) throws IOException {
        try {
            directory.search("ou=people", "(uid=" + account + ")", null); // vuln "CODE-INJ-007"
        } catch (Exception e) {
            throw new IOException(e);
        }
    }
}
