using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Cart.Controllers;

[ApiController]
[Route("api/[controller]")]
[Authorize] // want-attr "entry/GET /api/cartadmin/stats" authenticated=true(read)
public class CartAdminController : ControllerBase
{
    private readonly Dictionary<string, int> _counts = new();

    [HttpGet("stats")] // want-element "entry/GET /api/cartadmin/stats" entry
    public IActionResult Stats() => Ok(_counts);

    [HttpDelete("{id}")] // want-element "entry/DELETE /api/cartadmin/{id}" entry
    [AllowAnonymous] // want-attr "entry/DELETE /api/cartadmin/{id}" authenticated=false(read)
    public IActionResult Purge(string id)
    {
        _counts.Remove(id); // a dictionary, not a client
        return NoContent();
    }
}
