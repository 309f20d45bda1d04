import javax.crypto.Mac;

public class App {
    static byte[] sign(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        return mac.doFinal(body);
    }

    public static void main(String[] args) throws Exception {
        sign(args[0].getBytes());
    }
}
