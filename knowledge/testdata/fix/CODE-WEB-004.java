import io.jsonwebtoken.Claims;
import io.jsonwebtoken.Jwts;

public class App {
    static Object claims(String token, byte[] key) {
        return Jwts.parser().setSigningKey(key).parse(token).getBody();
    }

    public static void main(String[] args) {
        claims(args[0], args[1].getBytes());
    }
}
