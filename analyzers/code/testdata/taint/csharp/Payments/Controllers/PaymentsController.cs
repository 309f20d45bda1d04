using System.Diagnostics;
using System.Runtime.Serialization.Formatters.Binary;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Payments.Controllers;

[ApiController]
[Route("api/[controller]")]
public class PaymentsController : ControllerBase
{
    private static readonly HashSet<string> Formats = new() { "pdf", "csv" };
    private readonly PaymentsDb _db;
    private readonly HttpClient _http = new HttpClient();
    private readonly PaymentStore _store;

    public PaymentsController(PaymentsDb db, PaymentStore store)
    {
        _db = db;
        _store = store;
    }

    [HttpGet]
    public IActionResult List([FromQuery] string customer, [FromQuery] string? status)
    {
        var rows = _db.Payments.FromSqlRaw("SELECT * FROM payments WHERE customer = '" + customer + "'"); // vuln "CODE-INJ-001"
        var same = _db.Payments.FromSqlRaw("SELECT * FROM payments WHERE customer = {0}", customer); // ok "CODE-INJ-001"
        return Ok(_store.ByStatus(status ?? "open"));
    }

    [HttpGet("{id}/receipt")]
    public IActionResult Receipt(string id, [FromQuery] string file)
    {
        var root = Path.GetFullPath("/srv/receipts");
        var full = Path.GetFullPath(Path.Combine(root, file));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar))
        {
            return BadRequest();
        }
        var ok = System.IO.File.ReadAllBytes(full); // ok "CODE-INJ-003"
        var bad = System.IO.File.ReadAllText("/srv/receipts/" + file); // vuln "CODE-INJ-003"
        return Ok(ok.Length + bad.Length);
    }

    [HttpPost("{id}/export")]
    public IActionResult Export(string id, [FromQuery] string format, [FromQuery] string mailTo)
    {
        if (!Formats.Contains(format))
        {
            return BadRequest();
        }
        Process.Start("export-tool", "--format " + format); // ok "CODE-INJ-002"
        Process.Start("mail-receipt", mailTo); // vuln "CODE-INJ-002"
        return Accepted();
    }

    [HttpPost("hook")]
    public async Task<IActionResult> Hook([FromBody] HookRequest hook)
    {
        var resp = await _http.GetAsync(hook.Callback); // vuln "CODE-INJ-004"
        var ok = await _http.GetAsync("https://ledger.example.com/payments/" + hook.Id); // ok "CODE-INJ-004"
        return Ok(resp.StatusCode + ok.StatusCode.ToString());
    }

    [HttpPost("restore")]
    public IActionResult Restore()
    {
        var formatter = new BinaryFormatter();
        var state = formatter.Deserialize(Request.Body); // vuln "CODE-INJ-010"
        return Ok(state);
    }

    [HttpGet("note")]
    public IActionResult Note([FromQuery] string text)
    {
        return Content("<p>" + text + "</p>", "text/html"); // vuln "CODE-INJ-005"
    }

    [HttpGet("plain")]
    public IActionResult Plain([FromQuery] string text)
    {
        return Content(text, "text/plain"); // ok "CODE-INJ-005"
    }
}

public class HookRequest
{
    public string Callback { get; set; } = "";
    public string Id { get; set; } = "";
}
