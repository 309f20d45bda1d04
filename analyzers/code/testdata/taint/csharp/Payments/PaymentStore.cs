using Dapper;
using Microsoft.Data.SqlClient;

namespace Payments;

public class PaymentStore
{
    private readonly SqlConnection _conn;

    public PaymentStore(SqlConnection conn)
    {
        _conn = conn;
    }

    public IEnumerable<Payment> ByStatus(string status)
    {
        return _conn.Query<Payment>("SELECT * FROM payments WHERE status = '" + status + "'"); // vuln "CODE-INJ-001"
    }
}

public record Payment(int Id, string Customer);
