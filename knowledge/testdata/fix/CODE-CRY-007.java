import javax.net.ssl.SSLContext;

public class App {
    public static void main(String[] args) throws Exception {
        SSLContext context = SSLContext.getInstance("TLSv1");
        context.init(null, null, null);
    }
}
