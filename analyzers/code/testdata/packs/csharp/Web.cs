using Grpc.Core;
using Microsoft.AspNetCore.Mvc;

namespace Corpus;

[ApiController]
[Route("api/items")]
public class ItemsController : ControllerBase
{
    [HttpPost]
    public IActionResult Create() => Ok();

    [HttpPut("{id}")]
    public IActionResult Update(string id) => Ok();

    [HttpPatch("{id}")]
    public IActionResult Patch(string id) => Ok();
}

public static class GrpcEndpoints
{
    public static void Map(WebApplication app) => app.MapGrpcService<OrdersService>();
}
