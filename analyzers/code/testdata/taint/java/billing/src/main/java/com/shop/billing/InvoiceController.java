package com.shop.billing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.servlet.view.RedirectView;

@RestController
@RequestMapping("/invoices")
public class InvoiceController {
    private static final Path BASE = Paths.get("/srv/invoices");
    private static final Set<String> FORMATS = Set.of("pdf", "csv");

    private final InvoiceRepository repository;
    private final RestTemplate rest = new RestTemplate();

    public InvoiceController(InvoiceRepository repository) {
        this.repository = repository;
    }

    @GetMapping
    public List<Invoice> list(@RequestParam String customer, @RequestParam(required = false) String sort) {
        return repository.byCustomer(customer, sort);
    }

    @GetMapping("/{id}")
    public Invoice get(@PathVariable Long id) {
        return repository.byId(id);
    }

    @GetMapping("/{id}/file")
    public byte[] file(@PathVariable Long id, @RequestParam String name) throws IOException {
        Path path = BASE.resolve(name).normalize();
        if (!path.startsWith(BASE)) {
            throw new IllegalArgumentException("bad path");
        }
        byte[] ok = Files.readAllBytes(path); // ok "CODE-INJ-003"
        byte[] bad = Files.readAllBytes(Paths.get("/srv/invoices/" + name)); // vuln "CODE-INJ-003"
        return ok.length > 0 ? ok : bad;
    }

    @PostMapping("/{id}/export")
    public String export(@PathVariable Long id, @RequestParam String format, @RequestParam String recipient) throws IOException {
        if (!FORMATS.contains(format)) {
            throw new IllegalArgumentException("bad format");
        }
        new ProcessBuilder("export-tool", "--format", format).start(); // ok "CODE-INJ-002"
        Runtime.getRuntime().exec("mail-invoice " + recipient); // vuln "CODE-INJ-002"
        return "ok";
    }

    @PostMapping("/webhook")
    public String webhook(@RequestBody WebhookRequest body) {
        String callback = body.getCallback();
        String ok = rest.getForObject("https://payments.example.com/status/" + body.getId(), String.class); // ok "CODE-INJ-004"
        return rest.getForObject(callback, String.class) + ok; // vuln "CODE-INJ-004"
    }

    @GetMapping("/back")
    public RedirectView back(@RequestParam String next) {
        if (next.startsWith("/invoices/")) {
            return new RedirectView(next); // ok "CODE-INJ-009"
        }
        return new RedirectView(next); // vuln "CODE-INJ-009"
    }

    @GetMapping("/total")
    public Object total(@RequestParam String expression) {
        SpelExpressionParser parser = new SpelExpressionParser();
        return parser.parseExpression(expression).getValue(); // vuln "CODE-INJ-012"
    }
}
