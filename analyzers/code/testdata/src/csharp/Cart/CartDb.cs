using Microsoft.EntityFrameworkCore;

public class CartDb(DbContextOptions<CartDb> options) : DbContext(options)
{
    public DbSet<CartRow> Carts => Set<CartRow>();
}

public record CartRow(string Id, string Items);
